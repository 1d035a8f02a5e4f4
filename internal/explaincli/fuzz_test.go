package explaincli

import (
	"os"
	"testing"
)

// FuzzReadNodes feeds arbitrary bytes to the Nodes, pods and NodePools
// readers: they return objects or an error, and never panic.
func FuzzReadNodes(f *testing.F) {
	for _, name := range []string{"nodes.yaml", "nodepools.yaml", "bound-pods.yaml"} {
		data, err := os.ReadFile("../../testdata/explain/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("kind: NodePool\nmetadata: {name: x}\nspec: {weight: many}\n"))
	f.Add([]byte("kind: List\nitems: [{kind: Node, status: {allocatable: {cpu: lots}}}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ReadNodes("f.yaml", data)
		_, _ = ReadPods("f.yaml", data)
		_, _ = ReadNodePools("f.yaml", data)
	})
}
