package policy

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	corev1helpers "k8s.io/component-helpers/scheduling/corev1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
	"k8s.io/klog/v2"
	"sigs.k8s.io/yaml"
)

// fakeNodes covers every pool and zone the example policies name, plus an
// untainted general pool, so placement differences show.
func fakeNodes() []*corev1.Node {
	var nodes []*corev1.Node
	for _, pool := range []string{"special01", "spot01", "fallback01", "stream01", "airflow01", "batch01", "ci01", ""} {
		for _, zone := range []string{"zone-a", "zone-b", "zone-c"} {
			n := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Name: pool + "-" + zone, Labels: map[string]string{
				DefaultZoneKey: zone, corev1.LabelOSStable: "linux"}}}
			if pool != "" {
				n.Labels[DefaultPoolKey] = pool
				n.Labels["karpenter.sh/nodepool"] = pool
				n.Spec.Taints = []corev1.Taint{{Key: DefaultPoolKey, Value: pool, Effect: corev1.TaintEffectNoSchedule}}
			}
			if pool == "spot01" {
				n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: "preemptive", Value: "true", Effect: corev1.TaintEffectNoSchedule})
			}
			nodes = append(nodes, n)
		}
	}
	return nodes
}

// placement maps each feasible node to its NodeAffinity score, as the
// scheduler's own helpers compute them.
func placement(t *testing.T, pod *corev1.Pod, nodes []*corev1.Node) map[string]int64 {
	t.Helper()
	required := nodeaffinity.GetRequiredNodeAffinity(pod)
	var preferred *nodeaffinity.PreferredSchedulingTerms
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		var err error
		if preferred, err = nodeaffinity.NewPreferredSchedulingTerms(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution); err != nil {
			t.Fatal(err)
		}
	}
	out := map[string]int64{}
	for _, n := range nodes {
		if ok, err := required.Match(n); err != nil || !ok {
			continue
		}
		_, untolerated := corev1helpers.FindMatchingUntoleratedTaint(klog.Background(), n.Spec.Taints, pod.Spec.Tolerations, func(t *corev1.Taint) bool {
			return t.Effect == corev1.TaintEffectNoSchedule || t.Effect == corev1.TaintEffectNoExecute
		}, false)
		if untolerated {
			continue
		}
		if preferred != nil {
			out[n.Name] = preferred.Score(n)
		} else {
			out[n.Name] = 0
		}
	}
	return out
}

// defaultAsAPIServer does to a pod what the API server's defaulting and
// built-in admission plugins do before the webhook sees it.
func defaultAsAPIServer(pod *corev1.Pod) *corev1.Pod {
	p := pod.DeepCopy()
	if p.Spec.SchedulerName == "" {
		p.Spec.SchedulerName = corev1.DefaultSchedulerName
	}
	seconds := int64(300)
	for _, key := range []string{corev1.TaintNodeNotReady, corev1.TaintNodeUnreachable} {
		p.Spec.Tolerations = append(p.Spec.Tolerations, corev1.Toleration{Key: key, Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoExecute, TolerationSeconds: &seconds})
	}
	p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "kube-api-access-x7k2p", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{}}})
	for i := range p.Spec.Containers {
		c := &p.Spec.Containers[i]
		c.VolumeMounts = append(c.VolumeMounts, corev1.VolumeMount{Name: "kube-api-access-x7k2p", MountPath: "/var/run/secrets/kubernetes.io/serviceaccount", ReadOnly: true})
		if c.ImagePullPolicy == "" {
			c.ImagePullPolicy = corev1.PullIfNotPresent
			if strings.HasSuffix(c.Image, ":latest") || !strings.Contains(c.Image, ":") {
				c.ImagePullPolicy = corev1.PullAlways
			}
		}
		if c.Resources.Limits != nil && c.Resources.Requests == nil {
			c.Resources.Requests = c.Resources.Limits.DeepCopy()
		}
	}
	if p.Spec.RestartPolicy == "" {
		p.Spec.RestartPolicy = corev1.RestartPolicyAlways
	}
	p.Spec.Priority = new(int32)
	return p
}

// TestSamePlacementWrittenOrDefaulted checks that every testdata pod lands on
// the same nodes with the same scores whether poolpatch sees it as written
// (the CLI) or as the API server hands it over (the webhook).
func TestSamePlacementWrittenOrDefaulted(t *testing.T) {
	set := mustLoad(t, string(mustRead(t, "../testdata/policies/examples.yaml")))
	nodes := fakeNodes()
	paths, _ := filepath.Glob("../testdata/pods/*.yaml")
	tested := 0
	for _, path := range paths {
		var pod corev1.Pod
		if err := yaml.Unmarshal(mustRead(t, path), &pod); err != nil || pod.Kind != "Pod" {
			continue
		}
		tested++
		t.Run(filepath.Base(path), func(t *testing.T) {
			for _, labels := range []map[string]string{nil, {"team": "batch"}} {
				ns := Namespace{Name: pod.Namespace, Labels: labels}
				written := applyChecked(t, &pod, set, ns)
				defaulted := applyChecked(t, defaultAsAPIServer(&pod), set, ns)
				if diff := cmp.Diff(placement(t, written.Pod, nodes), placement(t, defaulted.Pod, nodes)); diff != "" {
					t.Errorf("placement differs (-as written +defaulted):\n%s", diff)
				}
				if diff := cmp.Diff(written.Enforced, defaulted.Enforced); diff != "" {
					t.Errorf("matched policies differ:\n%s", diff)
				}
				wantScheduler := written.Pod.Spec.SchedulerName
				if wantScheduler == "" {
					wantScheduler = corev1.DefaultSchedulerName
				}
				if got := defaulted.Pod.Spec.SchedulerName; got != wantScheduler {
					t.Errorf("scheduler %q as written, %q defaulted", wantScheduler, got)
				}
			}
		})
	}
	if tested < 5 {
		t.Fatalf("only %d testdata pods: the test proves little", tested)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}
