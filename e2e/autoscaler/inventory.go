package autoscaler

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Counts are the Nodes and NodeClaims of each NodePool, those being
// deleted apart.
type Counts struct {
	Nodes      map[string]int
	NodeClaims map[string]int
	// Terminating counts Nodes and NodeClaims being deleted.
	Terminating int
}

// String prints the counts as "fallback01=1/1 special01=2/2": Nodes, then
// NodeClaims, by pool name.
func (c Counts) String() string {
	pools := slices.Sorted(maps.Keys(c.NodeClaims))
	for p := range c.Nodes {
		if !slices.Contains(pools, p) {
			pools = append(pools, p)
		}
	}
	slices.Sort(pools)
	if len(pools) == 0 {
		return fmt.Sprintf("none (terminating %d)", c.Terminating)
	}
	parts := make([]string, 0, len(pools))
	for _, p := range pools {
		parts = append(parts, fmt.Sprintf("%s=%d/%d", p, c.Nodes[p], c.NodeClaims[p]))
	}
	if c.Terminating > 0 {
		parts = append(parts, fmt.Sprintf("(terminating %d)", c.Terminating))
	}
	return strings.Join(parts, " ")
}

// Nodes lists every Node (in this harness, all are Karpenter's).
func (a *Autoscaler) Nodes(ctx context.Context) ([]corev1.Node, error) {
	var list corev1.NodeList
	if err := a.cluster.Client().List(ctx, &list); err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	return list.Items, nil
}

// NodeClaims lists every NodeClaim.
func (a *Autoscaler) NodeClaims(ctx context.Context) ([]unstructured.Unstructured, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(NodeClaimGVK.GroupVersion().WithKind("NodeClaimList"))
	if err := a.cluster.Client().List(ctx, list); err != nil {
		return nil, fmt.Errorf("list NodeClaims: %w", err)
	}
	return list.Items, nil
}

// Counts counts the Nodes and NodeClaims of each NodePool (by their
// karpenter.sh/nodepool label), leaving out those being deleted.
func (a *Autoscaler) Counts(ctx context.Context) (Counts, error) {
	nodes, err := a.Nodes(ctx)
	if err != nil {
		return Counts{}, err
	}
	claims, err := a.NodeClaims(ctx)
	if err != nil {
		return Counts{}, err
	}
	c := Counts{Nodes: map[string]int{}, NodeClaims: map[string]int{}}
	for _, n := range nodes {
		if n.DeletionTimestamp != nil {
			c.Terminating++
			continue
		}
		c.Nodes[n.Labels[NodePoolLabel]]++
	}
	for _, nc := range claims {
		if nc.GetDeletionTimestamp() != nil {
			c.Terminating++
			continue
		}
		c.NodeClaims[nc.GetLabels()[NodePoolLabel]]++
	}
	return c, nil
}

// WaitCounts polls Counts until done accepts them or timeout passes, and
// returns the last counts; on timeout the error says what they were.
func (a *Autoscaler) WaitCounts(ctx context.Context, timeout time.Duration, done func(Counts) bool) (Counts, error) {
	var last Counts
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		if err := a.Healthy(); err != nil {
			return false, err
		}
		c, err := a.Counts(ctx)
		if err != nil {
			return false, nil //nolint:nilerr // a failed list is retried
		}
		last = c
		return done(c), nil
	})
	if err != nil {
		return last, fmt.Errorf("nodes per pool %s after %s: %w", last, timeout, err)
	}
	return last, nil
}

// Reset deletes every NodeClaim (Karpenter drains and deletes their Nodes)
// and waits until no Node and no NodeClaim is left, so that the next
// scenario starts from zero. Pods still bound are the caller's to delete
// first: Karpenter's drain would otherwise wait on them.
func (a *Autoscaler) Reset(ctx context.Context, timeout time.Duration) error {
	claims, err := a.NodeClaims(ctx)
	if err != nil {
		return err
	}
	for i := range claims {
		if err := a.cluster.Client().Delete(ctx, &claims[i]); client.IgnoreNotFound(err) != nil {
			return fmt.Errorf("delete NodeClaim %s: %w", claims[i].GetName(), err)
		}
	}
	_, err = a.WaitCounts(ctx, timeout, func(c Counts) bool { return c.Total() == 0 })
	if err != nil {
		return fmt.Errorf("reset to zero nodes: %w", err)
	}
	return nil
}

// Total is the number of Nodes and NodeClaims, terminating ones included.
func (c Counts) Total() int {
	n := c.Terminating
	for _, v := range c.Nodes {
		n += v
	}
	for _, v := range c.NodeClaims {
		n += v
	}
	return n
}
