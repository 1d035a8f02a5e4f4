// Package manifest reads and writes the Kubernetes manifests that
// `poolpatch mutate` previews: YAML streams, or JSON objects one after the
// other, including the List that `kubectl get -o yaml` prints, and mutates
// the Pods and pod templates in them through the policy engine. Numbers are
// read without passing through float64 where it would change them.
//
// The preview's cost is the reading and printing of YAML, so both have a
// fast path that must give what the libraries give, byte for byte, and
// leaves to them whatever it is not sure of: YAML streams are split at
// their "---" lines and each document of the block subset kubectl prints
// is read by parseBlockDocument (yaml.v3 reads the others), and YAML is
// printed by yamlPrinter as yaml.v2 prints it (yaml.v2 prints what the
// printer is not sure of). Pods and pod templates are decoded as the
// webhook decodes them, only what the engine reads (policy.DecodePod),
// after a check that the whole object would decode (decodes), so that a
// field of the wrong type is still an error at its line and column.
//
// A document is changed only by a JSON patch computed on its typed form and
// applied to the document as written, so fields the typed API does not know
// and everything poolpatch does not touch come back exactly as they were.
package manifest
