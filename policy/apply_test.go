package policy

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/mattbaird/jsonpatch"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
)

func TestMatching(t *testing.T) {
	set := mustLoad(t, `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: by-namespace}
spec: {match: {namespaces: [analytics]}, annotations: {a: "1"}}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: by-namespace-labels}
spec: {match: {namespaceSelector: {matchLabels: {team: data}}}, annotations: {b: "1"}}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: by-pod-labels}
spec: {match: {podSelector: {matchExpressions: [{key: spark-role, operator: In, values: [executor]}]}}, annotations: {c: "1"}}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: all-three}
spec:
  match: {namespaces: [analytics], namespaceSelector: {matchLabels: {team: data}}, podSelector: {matchLabels: {spark-role: executor}}}
  annotations: {d: "1"}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: everyone}
spec: {match: {}, annotations: {e: "1"}}
`)
	executor := "metadata: {name: p, labels: {spark-role: executor}}\nspec: {containers: [{name: m, image: i}]}\n"
	tests := []struct {
		name string
		pod  string
		ns   Namespace
		want []string
	}{
		{"everything matches", executor, Namespace{Name: "analytics", Labels: map[string]string{"team": "data"}},
			[]string{"by-namespace", "by-namespace-labels", "by-pod-labels", "all-three", "everyone"}},
		{"other namespace", executor, Namespace{Name: "web"}, []string{"by-pod-labels", "everyone"}},
		{"other pod", barePod, Namespace{Name: "analytics", Labels: map[string]string{"team": "data"}},
			[]string{"by-namespace", "by-namespace-labels", "everyone"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyChecked(t, mustPod(t, tt.pod), set, tt.ns)
			if diff := cmp.Diff(tt.want, res.Enforced); diff != "" {
				t.Errorf("matched policies (-want +got):\n%s", diff)
			}
			if got := res.Pod.Annotations[PoliciesAnnotation]; got != strings.Join(tt.want, ",") {
				t.Errorf("%s = %q, want %q", PoliciesAnnotation, got, strings.Join(tt.want, ","))
			}
		})
	}
}

func TestNeverMutated(t *testing.T) {
	set := mustLoad(t, policyHeader+"  annotations: {a: \"1\"}\n  pools: [{name: special01, weight: 100}]\n")
	tests := []struct{ name, pod string }{
		{"DaemonSet pod", "metadata: {name: p, ownerReferences: [{apiVersion: apps/v1, kind: DaemonSet, name: ds, uid: u}]}\nspec: {containers: [{name: m, image: i}]}\n"},
		{"mirror pod", "metadata: {name: p, annotations: {kubernetes.io/config.mirror: abc}}\nspec: {containers: [{name: m, image: i}]}\n"},
		{"bound pod", "metadata: {name: p}\nspec: {nodeName: node-1, containers: [{name: m, image: i}]}\n"},
		{"opted out", "metadata: {name: p, labels: {poolpatch.io/mutate: \"false\"}}\nspec: {containers: [{name: m, image: i}]}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyChecked(t, mustPod(t, tt.pod), set, Namespace{Name: "default"})
			if res.Changed || res.Excluded == "" {
				t.Errorf("Changed = %v, Excluded = %q; want unchanged with a reason", res.Changed, res.Excluded)
			}
		})
	}
}

func TestMergeAcrossPolicies(t *testing.T) {
	set := mustLoad(t, `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: first}
spec:
  pools: [{name: special01, weight: 100}]
  eviction: never
  schedulerName: first-scheduler
  tolerations: [{key: a, operator: Exists}]
  annotations: {shared: first, one: "1"}
  prepull: {images: [registry.example/a:1]}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: second}
spec:
  pools: [{name: other01, weight: 100}]
  eviction: safe
  schedulerName: second-scheduler
  tolerations: [{key: b, operator: Exists}]
  annotations: {shared: second, two: "2"}
  prepull: {images: [registry.example/b:1]}
`)
	res := applyChecked(t, mustPod(t, barePod), set, Namespace{Name: "default"})
	pod := res.Pod
	if got := pod.Spec.SchedulerName; got != "first-scheduler" {
		t.Errorf("schedulerName = %q, want the first policy's", got)
	}
	if got := pod.Annotations[SafeToEvictAnnotation]; got != "false" {
		t.Errorf("safe-to-evict = %q, want the first policy's never", got)
	}
	wantAnn := map[string]string{"shared": "first", "one": "1", "two": "2"}
	for k, v := range wantAnn {
		if pod.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q", k, pod.Annotations[k], v)
		}
	}
	var tolKeys []string
	for _, tol := range pod.Spec.Tolerations {
		tolKeys = append(tolKeys, tol.Key+"="+tol.Value)
	}
	if diff := cmp.Diff([]string{"dedicated=special01", "a=", "b="}, tolKeys); diff != "" {
		t.Errorf("tolerations (-want +got):\n%s", diff)
	}
	var images []string
	for _, c := range pod.Spec.InitContainers {
		images = append(images, c.Image)
	}
	if diff := cmp.Diff([]string{DefaultPrepullHelperImage, "registry.example/a:1", "registry.example/b:1"}, images); diff != "" {
		t.Errorf("init container images (-want +got):\n%s", diff)
	}
	if len(res.Warnings) != 0 {
		t.Errorf("warnings = %q, want none: a later policy losing a setting is by design", res.Warnings)
	}
}

func TestAuditMode(t *testing.T) {
	set := mustLoad(t, `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: audit-pools}
spec:
  mode: Audit
  pools: [{name: gpu01, weight: 100}]
  annotations: {audited: "yes"}
---
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: enforced}
spec:
  pools: [{name: special01, weight: 100}]
`)
	res := applyChecked(t, mustPod(t, barePod), set, Namespace{Name: "default"})
	if diff := cmp.Diff([]string{"enforced"}, res.Enforced); diff != "" {
		t.Errorf("enforced (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"audit-pools"}, res.Audited); diff != "" {
		t.Errorf("audited (-want +got):\n%s", diff)
	}
	if _, ok := res.Pod.Annotations["audited"]; ok {
		t.Error("an Audit policy patched the pod")
	}
	if got := res.Pod.Spec.Tolerations; len(got) != 1 || got[0].Value != "special01" {
		t.Errorf("tolerations = %v, want the enforced policy's special01 only (audit never claims pools)", got)
	}
	// The Enforce policy claimed pools, so the Audit policy would only add
	// its annotation on top.
	if len(res.AuditChanges) != 1 || res.AuditChanges[0].Setting != SettingAnnotations {
		t.Errorf("audit changes = %v, want the annotation only", res.AuditChanges)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "audit-pools") {
		t.Errorf("warnings = %q, want one naming the Audit policy", res.Warnings)
	}
}

func TestWarningsAreShort(t *testing.T) {
	long := strings.Repeat("p", 63)
	set := mustLoad(t, strings.ReplaceAll(policyHeader, "p1", long)+"  eviction: local-volumes\n  schedulerName: mine\n")
	pod := mustPod(t, "metadata: {name: p}\nspec: {schedulerName: theirs, containers: [{name: m, image: i}], volumes: [{name: v, emptyDir: {}}]}\n")
	res := applyChecked(t, pod, set, Namespace{})
	if len(res.Warnings) != 2 {
		t.Fatalf("warnings = %q, want 2", res.Warnings)
	}
	for _, w := range res.Warnings {
		if len(w) >= 120 {
			t.Errorf("warning is %d characters, want under 120: %q", len(w), w)
		}
	}
}

// TestApplyConcurrent applies a fresh set from many goroutines at once, as
// a server's requests do: the affinity writes a policy prepares on its
// first pod (and everything else) must give every goroutine the same
// patch. Run with -race to check the preparation is safe.
func TestApplyConcurrent(t *testing.T) {
	set := mustLoad(t, fixture.Policies(50))
	pod, err := fixture.SparkExecutor("..")
	if err != nil {
		t.Fatal(err)
	}
	ns := Namespace{Name: "analytics"}
	want := Apply(pod, mustLoad(t, fixture.Policies(50)), ns, Options{}).Patch
	patches := make([][]jsonpatch.JsonPatchOperation, 8)
	var wg sync.WaitGroup
	for i := range patches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			patches[i] = Apply(pod, set, ns, Options{}).Patch
		}()
	}
	wg.Wait()
	for i, got := range patches {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("goroutine %d: patch differs (-sequential +concurrent):\n%s", i, diff)
		}
	}
}

// TestRecordChanges checks that Enforce changes are listed only when asked,
// naming the settings each of the two matching policies of
// fixture.Policies(11) wrote (the first every one it has, the second only
// its toleration and annotation: the rest are the first's), and that asking
// changes nothing else.
func TestRecordChanges(t *testing.T) {
	set := mustLoad(t, fixture.Policies(11))
	pod, err := fixture.SparkExecutor("..")
	if err != nil {
		t.Fatal(err)
	}
	ns := Namespace{Name: "analytics"}
	quiet := Apply(pod, set, ns, Options{})
	recorded := Apply(pod, set, ns, Options{RecordChanges: true})
	if quiet.Changes != nil {
		t.Errorf("changes without RecordChanges: %v", quiet.Changes)
	}
	if diff := cmp.Diff(quiet.Patch, recorded.Patch); diff != "" {
		t.Errorf("RecordChanges changed the patch (-without +with):\n%s", diff)
	}
	perPolicy := map[string][]Setting{}
	for _, c := range recorded.Changes {
		if c.Detail == "" {
			t.Errorf("change %v has no detail", c)
		}
		if !slices.Contains(perPolicy[c.Policy], c.Setting) {
			perPolicy[c.Policy] = append(perPolicy[c.Policy], c.Setting)
		}
	}
	want := map[string][]Setting{
		"p0":  {SettingPools, SettingZones, SettingTolerations, SettingEmptyDir, SettingEviction, SettingAnnotations},
		"p10": {SettingTolerations, SettingAnnotations},
	}
	if diff := cmp.Diff(want, perPolicy); diff != "" {
		t.Errorf("settings changed per policy (-want +got):\n%s", diff)
	}
}
