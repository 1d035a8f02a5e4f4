package autoscaler

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// API groups, versions and kinds of the Karpenter objects the harness writes.
var (
	NodePoolGVK      = schema.GroupVersionKind{Group: "karpenter.sh", Version: "v1", Kind: "NodePool"}
	NodeClaimGVK     = schema.GroupVersionKind{Group: "karpenter.sh", Version: "v1", Kind: "NodeClaim"}
	KWOKNodeClassGVK = schema.GroupVersionKind{Group: "karpenter.kwok.sh", Version: "v1alpha1", Kind: "KWOKNodeClass"}
)

// Well-known label keys of the Nodes Karpenter creates.
const (
	// NodePoolLabel names the NodePool a Node or NodeClaim belongs to.
	NodePoolLabel = "karpenter.sh/nodepool"
	// CapacityTypeLabel is the offering's capacity type (on-demand, spot).
	CapacityTypeLabel = "karpenter.sh/capacity-type"
	// DoNotDisrupt on a pod keeps Karpenter from disrupting its Node.
	DoNotDisrupt = "karpenter.sh/do-not-disrupt"
)

// NodeClassName is the one KWOKNodeClass every NodePool refers to.
const NodeClassName = "default"

// SpecialLimit is special01's default limit in Nodes. Karpenter v1.15 needs
// two limits to hold it: limits.nodes counts the Nodes that exist (a CPU
// limit alone under-counts them, since the kwok provider sets a Node's
// capacity from the pods that caused it), but is not decremented for the
// NodeClaims one scheduling batch creates (measured: a batch of nine pods
// got three special01 Nodes); limits.cpu (SpecialLimit instance types of
// InstanceCPU) is, so the pair stops the pool where a real provider would.
const SpecialLimit = 2

// InstanceCPU is the CPU count of the one instance type (instance-types.json).
const InstanceCPU = 4

// NodePool is the part of a Karpenter NodePool the harness sets.
type NodePool struct {
	// Name is the NodePool's name and its Nodes' dedicated=<Name> label.
	Name string
	// Tainted adds the taint dedicated=<Name>:NoSchedule to its Nodes.
	Tainted bool
	// MaxNodes is limits.nodes and, as InstanceCPU times it, limits.cpu
	// (0: no limits); see SpecialLimit for why both.
	MaxNodes int
	// Weight is the NodePool's weight (0: none).
	Weight int
	// Requirements are added to the template's requirements (the instance
	// types already fix architecture, OS and capacity type).
	Requirements []corev1.NodeSelectorRequirement
	// ConsolidateAfter is disruption.consolidateAfter (default "Never":
	// placement scenarios must not see Nodes move under them).
	ConsolidateAfter string
	// WhenEmpty consolidates only empty Nodes (consolidationPolicy
	// WhenEmpty), so that Karpenter moves no pod: the rebalance test must
	// see poolpatch move them. Default: WhenEmptyOrUnderutilized.
	WhenEmpty bool
}

// DefaultNodePools are special01 (tainted, at most SpecialLimit Nodes),
// fallback01 (tainted) and general.
func DefaultNodePools() []NodePool {
	return []NodePool{
		{Name: cluster.PoolSpecial, Tainted: true, MaxNodes: SpecialLimit},
		{Name: cluster.PoolFallback, Tainted: true},
		{Name: cluster.PoolGeneral},
	}
}

// Object is the NodePool as the API server takes it.
func (p NodePool) Object() *unstructured.Unstructured {
	after := p.ConsolidateAfter
	if after == "" {
		after = "Never"
	}
	template := map[string]any{
		"nodeClassRef": map[string]any{
			"group": KWOKNodeClassGVK.Group, "kind": KWOKNodeClassGVK.Kind, "name": NodeClassName,
		},
		"requirements": requirements(p.Requirements),
		"expireAfter":  "Never",
	}
	if p.Tainted {
		template["taints"] = []any{map[string]any{
			"key": cluster.DedicatedLabel, "value": p.Name, "effect": string(corev1.TaintEffectNoSchedule),
		}}
	}
	spec := map[string]any{
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{
				cluster.DedicatedLabel: p.Name, cluster.PoolLabel: p.Name,
			}},
			"spec": template,
		},
		"disruption": map[string]any{
			"consolidationPolicy": "WhenEmptyOrUnderutilized",
			"consolidateAfter":    after,
			// The default budget (10% of the pool's Nodes) would let a
			// small pool lose one Node at a time: consolidation tests
			// want every empty Node gone in one pass.
			"budgets": []any{map[string]any{"nodes": "100%"}},
		},
	}
	if p.MaxNodes > 0 {
		spec["limits"] = map[string]any{"nodes": fmt.Sprint(p.MaxNodes), "cpu": fmt.Sprint(p.MaxNodes * InstanceCPU)}
	}
	if p.Weight > 0 {
		spec["weight"] = int64(p.Weight)
	}
	if p.WhenEmpty {
		spec["disruption"].(map[string]any)["consolidationPolicy"] = "WhenEmpty"
	}
	u := &unstructured.Unstructured{Object: map[string]any{"metadata": map[string]any{"name": p.Name}, "spec": spec}}
	u.SetGroupVersionKind(NodePoolGVK)
	return u
}

// requirements converts node selector requirements to unstructured form.
func requirements(reqs []corev1.NodeSelectorRequirement) []any {
	out := []any{}
	for _, r := range reqs {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(&r)
		if err == nil {
			out = append(out, m)
		}
	}
	return out
}

// nodeClass is the KWOKNodeClass: Nodes register one second after launch.
func nodeClass() *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"metadata": map[string]any{"name": NodeClassName},
		"spec":     map[string]any{"nodeRegistrationDelay": "1s"},
	}}
	u.SetGroupVersionKind(KWOKNodeClassGVK)
	return u
}

// ApplyNodePool creates the NodePool p, or replaces the spec of the existing
// one (the scenarios change limits, requirements and consolidation).
func (a *Autoscaler) ApplyNodePool(ctx context.Context, p NodePool) error {
	want := p.Object()
	cl := a.cluster.Client()
	err := cl.Create(ctx, want)
	if !apierrors.IsAlreadyExists(err) {
		if err != nil {
			return fmt.Errorf("create NodePool %s: %w", p.Name, err)
		}
		return nil
	}
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(NodePoolGVK)
	if err := cl.Get(ctx, client.ObjectKey{Name: p.Name}, got); err != nil {
		return fmt.Errorf("get NodePool %s: %w", p.Name, err)
	}
	got.Object["spec"] = want.Object["spec"]
	if err := cl.Update(ctx, got); err != nil {
		return fmt.Errorf("update NodePool %s: %w", p.Name, err)
	}
	return nil
}
