package safety

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/policy"
)

// Where the policy ConfigMap lives (not opted in).
const (
	systemNamespace = "poolpatch-system"
	policyConfigMap = "poolpatch-policies"
)

// outcome is what the API server made of one dry-run create.
type outcome struct {
	pod *corev1.Pod // as stored, when accepted
	err error
}

// dryRunCreate creates a copy of pod in namespace with server-side dry run:
// every admission plugin and webhook runs, nothing is stored.
func dryRunCreate(ctx context.Context, c *cluster.Cluster, pod *corev1.Pod, namespace string) outcome {
	p := pod.DeepCopy()
	p.Namespace = namespace
	err := c.Client().Create(ctx, p, client.DryRunAll)
	if err != nil {
		return outcome{err: err}
	}
	return outcome{pod: p}
}

// injectedName matches a poolpatch container in a rejection's list of
// container names (quoted or not).
var injectedName = regexp.MustCompile(`(, ?"?` + policy.PrepullPrefix + `[a-z0-9-]*"?)|("?` + policy.PrepullPrefix + `[a-z0-9-]*"?, ?)`)

// withoutInjected removes poolpatch's containers from a rejection message,
// so that it can be compared with the baseline's.
func withoutInjected(msg string) string {
	return injectedName.ReplaceAllString(msg, "")
}

// prepullContainers returns the init containers poolpatch injected.
func prepullContainers(pod *corev1.Pod) []corev1.Container {
	var out []corev1.Container
	for _, c := range pod.Spec.InitContainers {
		if strings.HasPrefix(c.Name, policy.PrepullPrefix) {
			out = append(out, c)
		}
	}
	return out
}

// tally counts what the test saw, for its closing log line.
type tally struct {
	creates, accepted, rejectedBoth, patched, withPrepull, bestEffort int
	bestEffortListed                                                  int // rejections listing injected containers beside the pod's own
}

// TestPatchedPodsAdmitted: see the package documentation.
func TestPatchedPodsAdmitted(t *testing.T) {
	c := cluster.StartForTest(t, cluster.Options{AdmissionPlugins: []string{"AlwaysPullImages"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()

	pods := append(testdataPods(t), syntheticPods()...)
	originals := map[string]*originalNamespace{}
	for _, p := range pods {
		o := originals[p.pod.Namespace]
		if o == nil {
			o = &originalNamespace{serviceAccounts: map[string]bool{}}
			originals[p.pod.Namespace] = o
		}
		if sa := p.pod.Spec.ServiceAccountName; sa != "" && sa != "default" {
			o.serviceAccounts[sa] = true
		}
	}
	originals["batch"].labels = map[string]string{"team": "batch"} // the batch cases' namespace labels
	createNamespaces(ctx, t, c, originals)
	if _, err := c.CreateNamespace(ctx, systemNamespace, nil); err != nil {
		t.Fatal(err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: policyConfigMap, Namespace: systemNamespace},
		Data: map[string]string{"policies.yaml": examplePolicies(t)}}
	if err := c.Client().Create(ctx, cm); err != nil {
		t.Fatal(err)
	}
	logs, err := os.Create(filepath.Join(t.TempDir(), "webhook.log"))
	if err != nil {
		t.Fatal(err)
	}
	defer logs.Close()
	url, caPEM := startWebhook(t, c.RESTConfig(), systemNamespace+"/"+policyConfigMap, logs)
	if err := c.RegisterMutatingWebhook(ctx, url+"/mutate-pods", caPEM); err != nil {
		t.Fatal(err)
	}
	waitServing(ctx, t, c)

	var n tally
	for _, cond := range conditions {
		for _, p := range pods {
			mutatedNS, baselineNS := namespacePair(p.pod.Namespace, cond)
			t.Run(fmt.Sprintf("%s/%s/%s", cond.name, p.source, p.pod.Name), func(t *testing.T) {
				base := dryRunCreate(ctx, c, p.pod, baselineNS)
				got := dryRunCreate(ctx, c, p.pod, mutatedNS)
				n.creates += 2
				checkPair(t, base, got, mutatedNS, baselineNS, &n)
			})
		}
	}
	t.Logf("safety: %d pods x %d conditions, %d dry-run creates: %d accepted (%d patched, %d with prepull containers, "+
		"%d BestEffort kept), %d rejected unpatched and patched alike, for the pod's own violations only "+
		"(%d listing injected containers beside the pod's own, in the same rule)",
		len(pods), len(conditions), n.creates, n.accepted, n.patched, n.withPrepull, n.bestEffort, n.rejectedBoth,
		n.bestEffortListed)
	if n.withPrepull == 0 || n.patched == 0 {
		t.Errorf("no pod was patched (%d) or given prepull containers (%d): the test proves nothing", n.patched, n.withPrepull)
	}
}

// checkPair compares the patched create with its unpatched baseline.
func checkPair(t *testing.T, base, got outcome, mutatedNS, baselineNS string, n *tally) {
	t.Helper()
	switch {
	case got.err != nil && base.err == nil:
		t.Fatalf("accepted unpatched, rejected patched: %v", got.err)
	case got.err != nil:
		n.rejectedBoth++
		baseMsg := strings.ReplaceAll(base.err.Error(), baselineNS, mutatedNS)
		if own := withoutInjected(got.err.Error()); own != baseMsg {
			t.Errorf("patched pod rejected for more than its own violations:\npatched:   %v\nunpatched: %v", got.err, base.err)
		}
		if strings.Contains(got.err.Error(), policy.PrepullPrefix) {
			n.bestEffortListed++
		}
		t.Logf("rejected unpatched and patched alike: %.200s", got.err)
		return
	case base.err != nil:
		t.Logf("rejected unpatched (%.150s), accepted patched", base.err)
	}
	n.accepted++
	if got.pod.Annotations[policy.PoliciesAnnotation] != "" {
		n.patched++
	}
	if base.pod != nil && got.pod.Status.QOSClass != base.pod.Status.QOSClass {
		t.Errorf("QoS class %s patched, %s unpatched", got.pod.Status.QOSClass, base.pod.Status.QOSClass)
	}
	if got.pod.Status.QOSClass == corev1.PodQOSBestEffort && len(prepullContainers(got.pod)) > 0 {
		n.bestEffort++
	}
	if pp := prepullContainers(got.pod); len(pp) > 0 {
		n.withPrepull++
		for _, c := range pp {
			if c.ImagePullPolicy != corev1.PullAlways {
				t.Errorf("%s pulls %s under AlwaysPullImages", c.Name, c.ImagePullPolicy)
			}
		}
	}
}

// waitServing waits until a pod created in each condition's opted-in
// namespace comes back with prepull containers: the webhook, its namespace
// and LimitRange caches and the policy set are ready.
func waitServing(ctx context.Context, t *testing.T, c *cluster.Cluster) {
	t.Helper()
	probe := syntheticPods()[0].pod
	deadline := time.Now().Add(60 * time.Second)
	for _, cond := range conditions {
		mutated, _ := namespacePair(probe.Namespace, cond)
		for {
			o := dryRunCreate(ctx, c, probe, mutated)
			if o.err == nil && len(prepullContainers(o.pod)) > 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("webhook not patching in %s after 60s: %v", mutated, o.err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
}
