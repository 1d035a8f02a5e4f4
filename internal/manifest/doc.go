// Package manifest reads and writes the Kubernetes manifests that
// `poolpatch mutate` previews: YAML streams or JSON, including the List that
// `kubectl get -o yaml` prints, and mutates the Pods and pod templates in
// them through the policy engine.
//
// A document is changed only by a JSON patch computed on its typed form and
// applied to the document as written, so fields the typed API does not know
// and everything poolpatch does not touch come back exactly as they were.
package manifest
