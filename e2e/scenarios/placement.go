package scenarios

import (
	"context"
	"fmt"
	"io"
	"sort"
	"text/tabwriter"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// ScheduleWait bounds how long WaitPods waits for pods to exist and be bound.
const ScheduleWait = 60 * time.Second

// Placement is where one pod landed and which policies placed it.
type Placement struct {
	Namespace, Pod string
	Node           string // "" while pending
	Pool, Zone     string
	Policies       string // the poolpatch.io/policies annotation
}

// WaitPods waits until at least n pods match selector in namespace and all
// of them are bound to a Node, and returns them sorted by name.
func (e *Env) WaitPods(ctx context.Context, namespace string, selector map[string]string, n int) ([]corev1.Pod, error) {
	var pods corev1.PodList
	err := wait.PollUntilContextTimeout(ctx, 100*time.Millisecond, ScheduleWait, true, func(ctx context.Context) (bool, error) {
		if err := e.Cluster.Client().List(ctx, &pods, client.InNamespace(namespace), client.MatchingLabels(selector)); err != nil {
			return false, fmt.Errorf("list pods: %w", err)
		}
		if len(pods.Items) < n {
			return false, nil
		}
		for _, p := range pods.Items {
			if p.Spec.NodeName == "" {
				return false, nil
			}
		}
		return true, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%d pods %v in %s bound to nodes (have %s): %w", n, selector, namespace, pending(pods.Items), err)
	}
	sort.Slice(pods.Items, func(i, j int) bool { return pods.Items[i].Name < pods.Items[j].Name })
	return pods.Items, nil
}

// pending describes how many pods exist and why the unbound ones wait.
func pending(pods []corev1.Pod) string {
	out := fmt.Sprintf("%d", len(pods))
	for _, p := range pods {
		if p.Spec.NodeName != "" {
			continue
		}
		for _, c := range p.Status.Conditions {
			if c.Type == corev1.PodScheduled && c.Status == corev1.ConditionFalse {
				return out + fmt.Sprintf(", %s pending: %s", p.Name, c.Message)
			}
		}
	}
	return out
}

// Placements reports the Node, pool, zone and policies of each pod.
func (e *Env) Placements(ctx context.Context, pods []corev1.Pod) ([]Placement, error) {
	var nodes corev1.NodeList
	if err := e.Cluster.Client().List(ctx, &nodes); err != nil {
		return nil, fmt.Errorf("list nodes: %w", err)
	}
	byName := map[string]*corev1.Node{}
	for i := range nodes.Items {
		byName[nodes.Items[i].Name] = &nodes.Items[i]
	}
	out := make([]Placement, 0, len(pods))
	for _, p := range pods {
		pl := Placement{Namespace: p.Namespace, Pod: p.Name, Node: p.Spec.NodeName, Policies: p.Annotations[PoliciesAnnotation]}
		if n := byName[p.Spec.NodeName]; n != nil {
			pl.Pool, pl.Zone = cluster.PoolOf(n), cluster.ZoneOf(n)
		}
		out = append(out, pl)
	}
	return out, nil
}

// WriteTable prints placements as an aligned table.
func WriteTable(w io.Writer, placements []Placement) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "NAMESPACE\tPOD\tNODE\tPOOL\tZONE\tPOLICIES")
	for _, p := range placements {
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n",
			p.Namespace, p.Pod, orDash(p.Node), orDash(p.Pool), orDash(p.Zone), orDash(p.Policies))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// orDash shows "-" for an empty cell.
func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
