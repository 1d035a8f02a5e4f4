package cluster_test

import (
	"context"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// TestControlPlane starts the harness and checks that the real scheduler
// honours the pools' taints and labels, and that the ServiceAccount
// admission plugin is on.
func TestControlPlane(t *testing.T) {
	c := cluster.StartForTest(t, cluster.Options{})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	if _, err := c.CreateNamespace(ctx, "harness", nil); err != nil {
		t.Fatal(err)
	}
	t.Run("dedicated pod lands on special01", func(t *testing.T) {
		node := scheduleOn(ctx, t, c, dedicatedPod("special", cluster.PoolSpecial))
		if got := node.Labels[cluster.DedicatedLabel]; got != cluster.PoolSpecial {
			t.Errorf("node %s has dedicated=%q, want %q", node.Name, got, cluster.PoolSpecial)
		}
	})
	t.Run("plain pod lands on the general pool", func(t *testing.T) {
		node := scheduleOn(ctx, t, c, pod("plain"))
		if got := cluster.PoolOf(node); got != cluster.PoolGeneral {
			t.Errorf("pod landed in pool %q (node %s), want %q", got, node.Name, cluster.PoolGeneral)
		}
	})
	t.Run("service account token is mounted", func(t *testing.T) {
		p := &corev1.Pod{}
		if err := c.Client().Get(ctx, client.ObjectKey{Namespace: "harness", Name: "plain"}, p); err != nil {
			t.Fatal(err)
		}
		if !hasTokenVolume(p) {
			t.Errorf("pod has no projected service-account token volume: %+v", p.Spec.Volumes)
		}
	})
	t.Run("kubectl and helm use the kubeconfig", func(t *testing.T) { testKubeconfig(ctx, t, c) })
	t.Run("taints are re-asserted", func(t *testing.T) { testTaintReasserted(ctx, t, c) })
	t.Run("a full pool takes no pod", func(t *testing.T) { testFillPool(ctx, t, c) })
	t.Run("mutating webhook registration", func(t *testing.T) { testWebhook(ctx, t, c) })
	t.Run("validating webhook registration", func(t *testing.T) { testValidatingWebhook(ctx, t, c) })
}

// scheduleOn creates p in namespace harness, waits for the scheduler to bind
// it and returns its Node.
func scheduleOn(ctx context.Context, t *testing.T, c *cluster.Cluster, p *corev1.Pod) *corev1.Node {
	t.Helper()
	if err := c.Client().Create(ctx, p); err != nil {
		t.Fatalf("create pod %s: %v", p.Name, err)
	}
	bound, err := c.WaitScheduled(ctx, client.ObjectKeyFromObject(p))
	if err != nil {
		t.Fatal(err)
	}
	node, err := c.NodeOf(ctx, bound)
	if err != nil {
		t.Fatal(err)
	}
	return node
}

// pod is a one-container pod in namespace harness.
func pod(name string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: "harness", Name: name},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "main", Image: "example.invalid/app:1",
		}}},
	}
}

// dedicatedPod tolerates pool's taint and requires its label.
func dedicatedPod(name, pool string) *corev1.Pod {
	p := pod(name)
	p.Spec.Tolerations = []corev1.Toleration{{
		Key: cluster.DedicatedLabel, Operator: corev1.TolerationOpEqual, Value: pool, Effect: corev1.TaintEffectNoSchedule,
	}}
	p.Spec.Affinity = &corev1.Affinity{NodeAffinity: &corev1.NodeAffinity{
		RequiredDuringSchedulingIgnoredDuringExecution: &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{{
			MatchExpressions: []corev1.NodeSelectorRequirement{{
				Key: cluster.DedicatedLabel, Operator: corev1.NodeSelectorOpIn, Values: []string{pool},
			}},
		}}},
	}}
	return p
}

// hasTokenVolume reports whether the ServiceAccount admission plugin added
// its projected kube-api-access volume.
func hasTokenVolume(p *corev1.Pod) bool {
	for _, v := range p.Spec.Volumes {
		if !strings.HasPrefix(v.Name, "kube-api-access-") || v.Projected == nil {
			continue
		}
		for _, src := range v.Projected.Sources {
			if src.ServiceAccountToken != nil {
				return true
			}
		}
	}
	return false
}
