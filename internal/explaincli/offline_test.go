package explaincli

import (
	"errors"
	"strings"
	"testing"

	"github.com/poolpatch/poolpatch/internal/manifest"
)

func TestReaders(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"wrong kind", "kind: Pod\nmetadata: {name: p}\n", "f.yaml:1:1: a Pod, want a Node"},
		{"List item of a wrong kind", "kind: List\nitems: [{kind: Node, metadata: {name: n}}, {kind: Service}]\n", "f.yaml:1:1: items[1]: a Service, want a Node"},
		{"bad quantity", "kind: Node\nmetadata: {name: n}\nstatus: {allocatable: {cpu: lots}}\n", "f.yaml:1:1: decode:"},
		{"not YAML", "kind: [\n", "f.yaml:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadNodes("f.yaml", []byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, manifest.ErrUnreadable) {
				t.Errorf("err = %v, want one containing %q and wrapping ErrUnreadable", err, tt.want)
			}
		})
	}
	nodes, err := ReadNodes("f.yaml", []byte("kind: NodeList\nitems: [{kind: Node, metadata: {name: a}}, {kind: Node, metadata: {name: b}}]\n"))
	if err != nil || len(nodes) != 2 || nodes[1].Name != "b" {
		t.Errorf("NodeList: %v, %d nodes", err, len(nodes))
	}
}
