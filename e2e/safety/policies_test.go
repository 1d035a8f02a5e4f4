package safety

import (
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

// namespaceList matches a policy's `namespaces: [a, b]`.
var namespaceList = regexp.MustCompile(`namespaces: \[([^\]]*)\]`)

// examplePolicies returns testdata/policies/examples.yaml with every
// namespace a policy names replaced by its opted-in variants, one per
// condition, so that the policies match there as they match in the
// original namespace.
func examplePolicies(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile("../../testdata/policies/examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return namespaceList.ReplaceAllStringFunc(string(data), func(m string) string {
		var out []string
		for _, ns := range strings.Split(namespaceList.FindStringSubmatch(m)[1], ",") {
			for _, c := range conditions {
				mutated, _ := namespacePair(strings.TrimSpace(ns), c)
				out = append(out, mutated)
			}
		}
		return fmt.Sprintf("namespaces: [%s]", strings.Join(out, ", "))
	})
}
