package autoscaling_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/internal/explaincli"
)

// statusWait bounds the wait for Karpenter to count every Node in its
// NodePool's status: explain reads a NodePool's usage from there.
const statusWait = 30 * time.Second

// explainTally counts the explain/karpenter comparisons of the whole run.
var explainTally struct {
	sync.Mutex
	compared, agreed, passedOver int
}

// checkExplain runs `poolpatch explain pod` live (the CLI's code, in
// process, against the stored pod, the Nodes, the pods bound to them, the
// NodePools and the policy ConfigMap) on every bound pod, and records a
// failure for each pod whose Node is not of the NodePool explain names
// first: the one Karpenter would try first among those explain finds able
// to provision (a NodePool at its limit is one explain says cannot; the
// pod's own Node does not count against its NodePool's limit). One thing
// explain cannot see is the cloud provider's offerings: a NodePool whose
// requirements no offering of the instance types Karpenter is given meets
// (scenario 3's spot-only special01) is passed over, and the log counts the
// pods for which that decided. Pods without a Node are checkPods' failures.
func checkExplain(ctx context.Context, r *result, pods []corev1.Pod) error {
	pools, err := settledNodePools(ctx)
	if err != nil {
		return err
	}
	offerings, err := autoscaler.Offerings()
	if err != nil {
		return err
	}
	live, err := explaincli.NewLive(env.Cluster.RESTConfig(), scenarios.SystemNamespace+"/"+scenarios.PolicyConfigMapName)
	if err != nil {
		return err
	}
	nodes, err := nodesByName(ctx)
	if err != nil {
		return err
	}
	var compared, agreed, passedOver int
	firsts := map[string]int{}
	for _, p := range pods {
		node, ok := nodes[p.Spec.NodeName]
		if !ok {
			continue
		}
		rep, err := live.Report(ctx, p.Namespace, p.Name)
		if err != nil {
			return fmt.Errorf("explain pod %s/%s: %w", p.Namespace, p.Name, err)
		}
		compared++
		first, passed := firstNodePool(rep, pools, offerings)
		if len(passed) > 0 {
			passedOver++
		}
		firsts[first]++
		if got := node.Labels[autoscaler.NodePoolLabel]; first != got {
			r.errorf("explain/karpenter: pod %s runs on %s of NodePool %s, explain names %q first (passed over for want of an offering: %v):\n%s",
				p.Name, node.Name, got, first, passed, nodePoolSection(rep))
			continue
		}
		agreed++
	}
	explainTally.Lock()
	defer explainTally.Unlock()
	explainTally.compared += compared
	explainTally.agreed += agreed
	explainTally.passedOver += passedOver
	r.notef("explain/karpenter: compared %d pods, %d agreed (first NodePool named per pod: %v; %d pods with a NodePool passed over for want of an offering); whole run so far: compared %d pods, %d agreed",
		compared, agreed, firsts, passedOver, explainTally.compared, explainTally.agreed)
	return nil
}

// firstNodePool is the NodePool explain names first among those it finds
// able to provision (explain orders those first), passing over the ones no
// offering meets; it returns "" when none is left, and the names passed
// over.
func firstNodePool(rep explain.Report, pools map[string]explain.NodePool, offerings []map[string]string) (string, []string) {
	var passed []string
	for _, l := range rep.NodePools {
		if !l.Possible {
			continue
		}
		if !autoscaler.HasOffering(offerings, pools[l.NodePool].Requirements) {
			passed = append(passed, l.NodePool)
			continue
		}
		return l.NodePool, passed
	}
	return "", passed
}

// nodePoolSection is the NodePool lines of the report's text, for a
// failure message.
func nodePoolSection(rep explain.Report) string {
	var b strings.Builder
	_ = rep.WriteText(&b)
	text := b.String()
	if i := strings.Index(text, "nodepools,"); i >= 0 {
		return text[i:]
	}
	return text
}

// settledNodePools waits until every NodePool's status counts exactly the
// Nodes that carry its name (Karpenter updates the status after the Nodes
// appear), and returns the NodePools by name.
func settledNodePools(ctx context.Context) (map[string]explain.NodePool, error) {
	var pools map[string]explain.NodePool
	var last string
	err := wait.PollUntilContextTimeout(ctx, 250*time.Millisecond, statusWait, true, func(ctx context.Context) (bool, error) {
		var settled bool
		var err error
		pools, settled, last, err = readNodePools(ctx)
		return settled, err
	})
	if err != nil {
		return nil, fmt.Errorf("NodePool status never counted the Nodes (%s): %w", last, err)
	}
	return pools, nil
}

// readNodePools reads the NodePools and whether each one's status.nodes is
// the number of Nodes labelled with its name, with a summary of both.
func readNodePools(ctx context.Context) (map[string]explain.NodePool, bool, string, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(autoscaler.NodePoolGVK.GroupVersion().WithKind("NodePoolList"))
	if err := env.Cluster.Client().List(ctx, list); err != nil {
		return nil, false, "", fmt.Errorf("list NodePools: %w", err)
	}
	nodes, err := env.Autoscaler.Nodes(ctx)
	if err != nil {
		return nil, false, "", err
	}
	count := map[string]int64{}
	for _, n := range nodes {
		count[n.Labels[autoscaler.NodePoolLabel]]++
	}
	pools := map[string]explain.NodePool{}
	settled := true
	var summary []string
	for _, item := range list.Items {
		np, err := explain.NodePoolFromObject(item.Object)
		if err != nil {
			return nil, false, "", fmt.Errorf("NodePool %s: %w", item.GetName(), err)
		}
		pools[np.Name] = np
		status, _, _ := unstructured.NestedInt64(item.Object, "status", "nodes")
		settled = settled && status == count[np.Name]
		summary = append(summary, fmt.Sprintf("%s: status %d, Nodes %d", np.Name, status, count[np.Name]))
	}
	return pools, settled, strings.Join(summary, "; "), nil
}
