package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/policy"
	"github.com/poolpatch/poolpatch/rebalance"
)

// evictionTimeout bounds one eviction request.
const evictionTimeout = 10 * time.Second

// candidate is a running pod of a rebalancing policy on a lesser pool.
type candidate struct {
	pod *corev1.Pod
	at  rebalance.Placement
	ns  policy.Namespace
}

// pass decides and carries out one round: the loop guard first, then the
// candidates, longest on a lesser pool first.
func (r *Rebalancer) pass(ctx context.Context, now time.Time) {
	set := r.Policies.Current()
	if !set.HasRebalance() {
		return
	}
	pods, nodeByName, nodes, err := r.listed()
	if err != nil {
		writerErrors.WithLabelValues(r.Name(), ReasonWrite).Inc()
		r.Log.Error(err, "rebalance pass skipped: cache unreadable")
		return
	}
	planner := &rebalance.Planner{Now: now, Nodes: nodes, Usage: explain.BoundUsage(pods), History: r.history}
	candidates, byOwner := r.candidates(set, pods, nodeByName)
	weightOf := func(p *corev1.Pod) (int32, bool) {
		node, ns, ok := r.placed(p, nodeByName)
		if !ok {
			return 0, false
		}
		at, ok := rebalance.Locate(set, p, node, ns)
		return at.Weight, ok
	}
	for _, b := range r.history.Guard(byOwner, weightOf, now, orDuration(r.Backoff, DefaultRebalanceBackoff)) {
		rebalanceBackoffs.WithLabelValues(b.Policy).Inc()
		r.Log.Info("owner backed off: its replacement pod landed on no better pool", "policy", b.Policy,
			"pod", b.Pod.Namespace+"/"+b.Pod.Name, "node", b.Pod.Spec.NodeName)
	}
	for _, c := range candidates {
		if ctx.Err() != nil {
			return
		}
		r.decide(ctx, set, planner, c)
	}
	writerPasses.WithLabelValues(r.Name()).Inc()
}

// placed returns the bound, running pod's Node and namespace when the pod
// is in an opted-in namespace.
func (r *Rebalancer) placed(p *corev1.Pod, nodeByName map[string]*corev1.Node) (*corev1.Node, policy.Namespace, bool) {
	node := nodeByName[p.Spec.NodeName]
	if node == nil || p.DeletionTimestamp != nil || p.Status.Phase != corev1.PodRunning {
		return nil, policy.Namespace{}, false
	}
	ns, err := r.namespaces.Get(p.Namespace)
	if err != nil || !r.optedIn(ns) {
		return nil, policy.Namespace{}, false
	}
	return node, policy.NamespaceOf(ns.Name, ns.Labels, nil), true
}

// candidates returns the pods on a lesser pool, longest there first, and
// every placed pod by its controller's UID, for the loop guard.
func (r *Rebalancer) candidates(set *policy.Set, pods []*corev1.Pod, nodeByName map[string]*corev1.Node) ([]candidate, map[types.UID][]*corev1.Pod) {
	var out []candidate
	byOwner := map[types.UID][]*corev1.Pod{}
	for _, p := range pods {
		node, ns, ok := r.placed(p, nodeByName)
		if !ok {
			continue
		}
		if ref := metav1.GetControllerOf(p); ref != nil {
			byOwner[ref.UID] = append(byOwner[ref.UID], p)
		}
		if at, ok := rebalance.Locate(set, p, node, ns); ok && at.Lesser() {
			out = append(out, candidate{pod: p, at: at, ns: ns})
		}
	}
	slices.SortStableFunc(out, func(a, b candidate) int {
		return rebalance.Since(a.pod).Compare(rebalance.Since(b.pod))
	})
	return out, byOwner
}

// decide screens one candidate, reads its owner's template, looks for room
// and evicts.
func (r *Rebalancer) decide(ctx context.Context, set *policy.Set, planner *rebalance.Planner, c candidate) {
	d, ok := planner.Screen(c.pod, c.at)
	if ok {
		replacement, err := r.replacement(ctx, set, c)
		if err != nil {
			d = rebalance.Decision{Reason: rebalance.ReasonOwnerMissing, Detail: err.Error()}
		} else {
			d = planner.Place(c.pod, replacement, c.at)
		}
	}
	if d.Evict {
		d = r.evict(ctx, planner, c, d)
	}
	if !d.Evict && d.Reason != "" {
		rebalanceSkips.WithLabelValues(c.at.Rebalance.Policy, string(d.Reason)).Inc()
		r.Log.V(1).Info("pod left on a lesser pool", "pod", klogRef(c.pod), "policy", c.at.Rebalance.Policy,
			"pool", c.at.Pool, "reason", d.Reason, "detail", d.Detail)
	}
}

// replacement is the pod the candidate's owner would create now, as the
// current policy set mutates it.
func (r *Rebalancer) replacement(ctx context.Context, set *policy.Set, c candidate) (*corev1.Pod, error) {
	ref, _ := rebalance.Owner(c.pod)
	var tmpl *corev1.PodTemplateSpec
	switch ref.Kind {
	case "ReplicaSet":
		rs, err := r.Client.AppsV1().ReplicaSets(c.pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("reading ReplicaSet %s: %w", ref.Name, err)
		}
		tmpl = &rs.Spec.Template
	default:
		sts, err := r.Client.AppsV1().StatefulSets(c.pod.Namespace).Get(ctx, ref.Name, metav1.GetOptions{})
		if err != nil {
			return nil, fmt.Errorf("reading StatefulSet %s: %w", ref.Name, err)
		}
		tmpl = &sts.Spec.Template
	}
	pod, _ := policy.TemplatePod(ref.Kind, ref.Name, c.pod.Namespace, tmpl) // both kinds have templates
	return policy.Apply(pod, set, c.ns, policy.Options{PrepullHelperImage: r.PrepullImage}).Pod, nil
}

// evict asks the Eviction API to evict the pod. A 429 (a
// PodDisruptionBudget allows no disruption now) is a skip; a pod already
// gone is nothing; another error is counted and logged, and the next pass
// tries again.
func (r *Rebalancer) evict(ctx context.Context, planner *rebalance.Planner, c candidate, d rebalance.Decision) rebalance.Decision {
	eviction := &policyv1.Eviction{ObjectMeta: metav1.ObjectMeta{Name: c.pod.Name, Namespace: c.pod.Namespace},
		DeleteOptions: &metav1.DeleteOptions{Preconditions: &metav1.Preconditions{UID: &c.pod.UID}}}
	ctx, cancel := context.WithTimeout(ctx, evictionTimeout)
	defer cancel()
	// Pods(ns).EvictV1 is this request with client-go's retries, which
	// follow a 429's Retry-After (10 s while the disruption controller has
	// not seen a new budget) up to ten times: a pass must not wait on one
	// pod. A refused eviction is tried again next pass.
	err := r.Client.CoreV1().RESTClient().Post().Namespace(c.pod.Namespace).Resource("pods").Name(c.pod.Name).
		SubResource("eviction").MaxRetries(0).Body(eviction).Do(ctx).Error()
	switch {
	case err == nil:
		planner.Evicted(c.pod, c.at)
		rebalanceEvictions.WithLabelValues(c.at.Rebalance.Policy).Inc()
		r.Events.Event(c.pod, corev1.EventTypeNormal, "Rebalanced", d.Detail)
		r.Log.V(1).Info("pod evicted to move to a better pool", "pod", klogRef(c.pod), "policy", c.at.Rebalance.Policy,
			"from", c.at.Pool, "to", d.TargetPool, "node", d.Target.Name)
		return d
	case apierrors.IsTooManyRequests(err):
		return rebalance.Decision{Reason: rebalance.ReasonPDB, Detail: err.Error()}
	case apierrors.IsNotFound(err), apierrors.IsConflict(err):
		return rebalance.Decision{} // gone or replaced meanwhile: nothing to count
	default:
		writerErrors.WithLabelValues(r.Name(), ReasonWrite).Inc()
		r.Log.Error(err, "eviction failed", "pod", klogRef(c.pod))
		return rebalance.Decision{}
	}
}

func klogRef(p *corev1.Pod) string { return p.Namespace + "/" + p.Name }
