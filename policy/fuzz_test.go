package policy

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
)

func seedFiles(f testing.TB, pattern string) [][]byte {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("..", "testdata", pattern))
	if err != nil {
		f.Fatal(err)
	}
	var seeds [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, data)
	}
	return seeds
}

// FuzzLoad feeds arbitrary bytes to the loader: it must never panic, every
// rejection must be a positioned ErrorList, and a set it accepts must apply
// to a pod idempotently.
func FuzzLoad(f *testing.F) {
	for _, seed := range seedFiles(f, "policies/*.yaml") {
		f.Add(seed)
	}
	for _, seed := range seedFiles(f, "hostile/policies/*") {
		f.Add(seed)
	}
	f.Add([]byte("apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: a}\nspec: {pools: [{name: x, weight: 1}], zones: {sameZoneBy: app}}\n"))
	f.Add([]byte("&a [*a]"))
	f.Add([]byte("---\n---\n"))
	pod := &corev1.Pod{}
	pod.Name, pod.Labels = "p", map[string]string{"app": "x", "spark-role": "executor"}
	pod.Spec.Containers = []corev1.Container{{Name: "m", Image: "i"}}
	pod.Spec.Volumes = []corev1.Volume{{Name: "v", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}}
	f.Fuzz(func(t *testing.T, data []byte) {
		set, err := Load(Source{Name: "f.yaml", Data: data})
		if err != nil {
			var list ErrorList
			if !errors.As(err, &list) || !errors.Is(err, ErrInvalid) || len(list) == 0 {
				t.Fatalf("rejection is not a positioned ErrorList: %v", err)
			}
			for _, e := range list {
				if e.Pos.Source != "f.yaml" || !strings.HasPrefix(e.Error(), "f.yaml:") {
					t.Fatalf("error without its source: %q", e.Error())
				}
			}
			return
		}
		res := Apply(pod, set, Namespace{Name: "analytics"}, Options{})
		if again := Apply(res.Pod, set, Namespace{Name: "analytics"}, Options{}); again.Changed {
			t.Fatalf("second Apply changed the pod")
		}
	})
}

// FuzzApply feeds arbitrary pods to the example policies: Apply must never
// panic, must be idempotent, and its patch must apply to the original; the
// pod as DecodePod reads it must give the same patch, warnings and changes.
func FuzzApply(f *testing.F) {
	if executor, err := fixture.SparkExecutor(".."); err == nil {
		if defaulted, err := fixture.Defaulted(executor); err == nil {
			raw, _ := json.Marshal(defaulted) // managedFields, token volume: as a webhook gets it
			f.Add(raw)
		}
	}
	for _, seed := range seedFiles(f, "pods/*.yaml") {
		var pod corev1.Pod
		if yaml.Unmarshal(seed, &pod) == nil && pod.Kind == "Pod" {
			raw, _ := json.Marshal(pod)
			f.Add(raw)
		}
	}
	f.Add([]byte(`{"spec":{"affinity":{"nodeAffinity":{"requiredDuringSchedulingIgnoredDuringExecution":{}}}}}`))
	f.Add([]byte(`{"metadata":{"labels":{"spark-role":"driver"}},"spec":{"nodeSelector":{"dedicated":""},"tolerations":[{}]}}`))
	examples := seedFiles(f, "policies/examples.yaml")[0]
	set, err := Load(Source{Name: "examples.yaml", Data: examples})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var pod corev1.Pod
		if json.Unmarshal(raw, &pod) != nil {
			return
		}
		view, err := DecodePod(raw)
		if err != nil {
			t.Fatalf("DecodePod fails where a full decode works: %v", err)
		}
		for _, ns := range []Namespace{{Name: "analytics"}, {Name: "streaming"}, {Name: "ci", Labels: map[string]string{"team": "batch"}}} {
			full := applyChecked(t, &pod, set, ns)
			partial := Apply(view, set, ns, Options{})
			if diff := cmp.Diff(full.Patch, partial.Patch); diff != "" {
				t.Errorf("patch of DecodePod's view differs (-full +view):\n%s", diff)
			}
			if diff := cmp.Diff([][]string{full.Warnings, full.Enforced, full.Audited}, [][]string{partial.Warnings, partial.Enforced, partial.Audited}); diff != "" {
				t.Errorf("decisions on DecodePod's view differ (-full +view):\n%s", diff)
			}
		}
	})
}
