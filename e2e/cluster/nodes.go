package cluster

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// fakeNode is the state the harness keeps a fake Node in.
type fakeNode struct {
	name        string
	pool        string
	zone        string
	labels      map[string]string
	taints      []corev1.Taint
	allocatable corev1.ResourceList
}

// nodeSet is every fake Node, by name, guarded for the re-assert loop.
type nodeSet struct {
	mu    sync.Mutex
	nodes map[string]*fakeNode
}

// newNodeSet lays out NodesPerZone Nodes of every pool in every zone.
func newNodeSet(opts Options) *nodeSet {
	set := &nodeSet{nodes: map[string]*fakeNode{}}
	for _, pool := range opts.Pools {
		perZone := max(pool.NodesPerZone, 1)
		alloc := opts.Allocatable
		if pool.Allocatable != nil {
			alloc = pool.Allocatable
		}
		for _, zone := range opts.Zones {
			for i := range perZone {
				fn := &fakeNode{
					name:        fmt.Sprintf("%s-%s-%d", pool.Name, zone, i),
					pool:        pool.Name,
					zone:        zone,
					taints:      pool.Taints,
					allocatable: alloc.DeepCopy(),
				}
				fn.labels = nodeLabels(pool, fn.name, zone)
				set.nodes[fn.name] = fn
			}
		}
	}
	return set
}

// nodeLabels are a fake Node's labels: the pool's own, the harness's pool
// label, the zone, and the well-known host, OS and architecture labels.
func nodeLabels(pool Pool, name, zone string) map[string]string {
	labels := maps.Clone(pool.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[PoolLabel] = pool.Name
	labels[ZoneLabel] = zone
	labels[corev1.LabelHostname] = name
	labels[corev1.LabelOSStable] = "linux"
	labels[corev1.LabelArchStable] = "amd64"
	return labels
}

// names returns the Node names of pool ("" for all), sorted.
func (s *nodeSet) names(pool string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for name, fn := range s.nodes {
		if pool == "" || fn.pool == pool {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// snapshot copies the wanted state of one Node.
func (s *nodeSet) snapshot(name string) (fakeNode, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.nodes[name]
	if !ok {
		return fakeNode{}, false
	}
	out := *fn
	out.allocatable = fn.allocatable.DeepCopy()
	return out, true
}

// setAllocatable changes the wanted allocatable resource of one Node.
func (s *nodeSet) setAllocatable(name string, res corev1.ResourceName, q string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn, ok := s.nodes[name]
	if !ok {
		return fmt.Errorf("no fake node %q", name)
	}
	quantity, err := parseQuantity(q)
	if err != nil {
		return err
	}
	fn.allocatable[res] = quantity
	return nil
}

// createNode creates one fake Node and brings it to its wanted state.
func createNode(ctx context.Context, cl client.Client, fn fakeNode) error {
	node := &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{Name: fn.name, Labels: fn.labels},
		Spec:       corev1.NodeSpec{Taints: fn.taints},
	}
	if err := cl.Create(ctx, node); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create node %s: %w", fn.name, err)
	}
	return assertNode(ctx, cl, fn)
}

// assertNode makes the stored Node match fn: exactly fn's taints (dropping
// the not-ready taint the API server adds to new Nodes), Ready, and fn's
// capacity. It writes only what differs.
func assertNode(ctx context.Context, cl client.Client, fn fakeNode) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		node := &corev1.Node{}
		if err := cl.Get(ctx, client.ObjectKey{Name: fn.name}, node); err != nil {
			return fmt.Errorf("get node %s: %w", fn.name, err)
		}
		if !sameTaints(node.Spec.Taints, fn.taints) {
			node.Spec.Taints = fn.taints
			if err := cl.Update(ctx, node); err != nil {
				return fmt.Errorf("set taints of node %s: %w", fn.name, err)
			}
		}
		if statusMatches(node.Status, fn) {
			return nil
		}
		node.Status = nodeStatus(fn, node.Status)
		if err := cl.Status().Update(ctx, node); err != nil {
			return fmt.Errorf("set status of node %s: %w", fn.name, err)
		}
		return nil
	})
}
