// Package manifest reads and writes the Kubernetes manifests that
// `poolpatch mutate` previews: YAML streams, or JSON objects one after the
// other, including the List that `kubectl get -o yaml` prints, and mutates
// the Pods and pod templates in them through the policy engine. Numbers are
// read without passing through float64 where it would change them.
//
// A document is changed only by a JSON patch computed on its typed form and
// applied to the document as written, so fields the typed API does not know
// and everything poolpatch does not touch come back exactly as they were.
package manifest
