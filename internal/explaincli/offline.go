package explaincli

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/internal/manifest"
	"github.com/poolpatch/poolpatch/policy"
)

// Offline explains the pods of a manifest against Nodes read from files.
type Offline struct {
	Set              *policy.Set
	DefaultNamespace string
	// NamespaceLabels are the labels of every namespace involved.
	NamespaceLabels map[string]string
	Cluster         Cluster
}

// Reports explains every Pod and workload template of the documents, in
// order; other kinds are skipped.
func (o Offline) Reports(docs []manifest.Document) ([]explain.Report, error) {
	var out []explain.Report
	for _, obj := range manifest.Objects(docs) {
		pod, ok, err := manifest.PodOf(obj, o.DefaultNamespace)
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		out = append(out, Explain(pod, o.Set, Namespace(pod.Namespace, o.NamespaceLabels), o.Cluster, false))
	}
	return out, nil
}

// ReadNodes reads Nodes (a stream, or the List `kubectl get nodes -o yaml`
// prints); any other kind is an error at its position.
func ReadNodes(name string, data []byte) ([]corev1.Node, error) {
	var nodes []corev1.Node
	err := each(name, data, "Node", func(obj manifest.Object) error {
		var n corev1.Node
		err := decode(obj, &n)
		nodes = append(nodes, n)
		return err
	})
	return nodes, err
}

// ReadPods reads the pods bound to Nodes (`kubectl get pods -A -o yaml`).
func ReadPods(name string, data []byte) ([]corev1.Pod, error) {
	var pods []corev1.Pod
	err := each(name, data, "Pod", func(obj manifest.Object) error {
		var p corev1.Pod
		err := decode(obj, &p)
		pods = append(pods, p)
		return err
	})
	return pods, err
}

// ReadNodePools reads Karpenter NodePools.
func ReadNodePools(name string, data []byte) ([]explain.NodePool, error) {
	var pools []explain.NodePool
	err := each(name, data, "NodePool", func(obj manifest.Object) error {
		np, err := explain.NodePoolFromObject(obj)
		pools = append(pools, np)
		return err
	})
	return pools, err
}

// each calls fn on every object of the documents, List items one by one,
// and requires each to be of kind; errors carry the document's position.
func each(name string, data []byte, kind string, fn func(manifest.Object) error) error {
	docs, err := manifest.Read(name, data)
	if err != nil {
		return err
	}
	for _, d := range docs {
		for i, obj := range manifest.Objects([]manifest.Document{d}) {
			where := d.Where()
			if d.IsList() {
				where = fmt.Sprintf("%s: items[%d]", where, i)
			}
			if k, _ := obj["kind"].(string); k != kind {
				return fmt.Errorf("%s: a %s, want a %s: %w", where, k, kind, manifest.ErrUnreadable)
			}
			if err := fn(obj); err != nil {
				return fmt.Errorf("%s: %w: %w", where, err, manifest.ErrUnreadable)
			}
		}
	}
	return nil
}

func decode(obj manifest.Object, into any) error {
	raw, err := json.Marshal(obj)
	if err != nil {
		return fmt.Errorf("encode: %w", err)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}
