package safety

import (
	"context"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// enabledLabel opts a namespace in to the webhook.
const enabledLabel = "poolpatch.io/enabled"

// condition is what a namespace adds to the admission after the webhooks.
type condition struct {
	name   string
	labels map[string]string
	// objects are created in the namespace before any pod.
	objects func(namespace string) []client.Object
}

// conditions are the namespace kinds every pod is created in. The cluster
// itself runs AlwaysPullImages, so it applies under all of them.
var conditions = []condition{
	{name: "plain"},
	{name: "limitrange", objects: func(ns string) []client.Object {
		return []client.Object{&corev1.LimitRange{
			ObjectMeta: metav1.ObjectMeta{Name: "minimum", Namespace: ns},
			Spec: corev1.LimitRangeSpec{Limits: []corev1.LimitRangeItem{{
				Type:           corev1.LimitTypeContainer,
				Min:            resources("50m", "48Mi"),
				DefaultRequest: resources("100m", "64Mi"),
			}}},
		}}
	}},
	// A quota on requests and limits: every container must state both.
	{name: "quota", objects: func(ns string) []client.Object {
		return []client.Object{&corev1.ResourceQuota{
			ObjectMeta: metav1.ObjectMeta{Name: "compute", Namespace: ns},
			Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{
				corev1.ResourceRequestsCPU: resource.MustParse("1000"), corev1.ResourceLimitsCPU: resource.MustParse("1000"),
				corev1.ResourceRequestsMemory: resource.MustParse("10Ti"), corev1.ResourceLimitsMemory: resource.MustParse("10Ti"),
			}},
		}}
	}},
	{name: "restricted", labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"}},
}

func resources(cpu, memory string) corev1.ResourceList {
	return corev1.ResourceList{corev1.ResourceCPU: resource.MustParse(cpu), corev1.ResourceMemory: resource.MustParse(memory)}
}

// namespacePair names the opted-in namespace of an original namespace under
// a condition, and its baseline twin.
func namespacePair(original string, c condition) (mutated, baseline string) {
	mutated = fmt.Sprintf("%s-%s", original, c.name)
	return mutated, mutated + "-base"
}

// originalNamespace is what the pods of one testdata namespace need there.
type originalNamespace struct {
	labels          map[string]string // the testdata case's namespace labels
	serviceAccounts map[string]bool   // besides default
}

// createNamespaces creates, for every original namespace and condition, the
// opted-in namespace and its baseline twin, with the condition's labels and
// objects, the case's labels and the ServiceAccounts its pods run as.
func createNamespaces(ctx context.Context, t *testing.T, c *cluster.Cluster, originals map[string]*originalNamespace) {
	t.Helper()
	for original, o := range originals {
		for _, cond := range conditions {
			mutated, baseline := namespacePair(original, cond)
			for _, ns := range []string{mutated, baseline} {
				labels := map[string]string{}
				for k, v := range o.labels {
					labels[k] = v
				}
				for k, v := range cond.labels {
					labels[k] = v
				}
				if ns == mutated {
					labels[enabledLabel] = "true"
				}
				if _, err := c.CreateNamespace(ctx, ns, labels); err != nil {
					t.Fatal(err)
				}
				for sa := range o.serviceAccounts {
					obj := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa, Namespace: ns}}
					if err := c.Client().Create(ctx, obj); err != nil {
						t.Fatalf("create %s/%s: %v", ns, sa, err)
					}
				}
				if cond.objects == nil {
					continue
				}
				for _, obj := range cond.objects(ns) {
					if err := c.Client().Create(ctx, obj); err != nil {
						t.Fatalf("create %s/%s: %v", ns, obj.GetName(), err)
					}
					if q, ok := obj.(*corev1.ResourceQuota); ok {
						activateQuota(ctx, t, c, q)
					}
				}
			}
		}
	}
}

// activateQuota writes the status the resourcequota controller (which the
// harness does not run) would: hard as in the spec, nothing used. Quota
// admission only enforces a quota with that status.
func activateQuota(ctx context.Context, t *testing.T, c *cluster.Cluster, q *corev1.ResourceQuota) {
	t.Helper()
	q.Status.Hard = q.Spec.Hard.DeepCopy()
	q.Status.Used = corev1.ResourceList{}
	for name := range q.Spec.Hard {
		q.Status.Used[name] = resource.MustParse("0")
	}
	if err := c.Client().Status().Update(ctx, q); err != nil {
		t.Fatalf("quota status %s/%s: %v", q.Namespace, q.Name, err)
	}
}
