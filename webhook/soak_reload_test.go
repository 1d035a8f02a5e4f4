package webhook

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// reloadReplacements is how many times the policy file is replaced in the
// short run; a -soak run keeps replacing it until its time is up.
const reloadReplacements = 100

// soakPolicy is the first policy of every valid version: it matches every
// pod and decides its pools, with special01 weighted w, so that two
// consecutive versions give different patches. The example policies follow
// it and add their annotations, tolerations and prepull containers.
func soakPolicy(w int) string {
	return fmt.Sprintf(`apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata:
  name: soak
spec:
  match: {}
  pools:
    - name: special01
      weight: %d
    - name: fallback01
      weight: 10
  emptyDir:
    sizeLimit: 5Gi
---
`, w)
}

// invalidVersions are rejected by validation, each for another reason; a
// response from one of them would show an unknown generation.
var invalidVersions = []string{
	"pools:\n    - name: special01\n      weight: 0",
	"pools:\n    - name: special01\n      weight: 101",
	"eviction: always",
	"tolerations:\n    - {key: a, operator: Exists, value: b}",
	"annotations:\n    'bad key!': x",
	"pools:\n    - name: 'not a label value!'\n      weight: 5",
	"unknownField: 1",
	"pools: [ {name: x, weight: 5}",
}

// policyVersion returns the content of the i-th replacement: even ones valid
// (with a special01 weight that changes every time), odd ones invalid.
func policyVersion(t testing.TB, i int) []byte {
	t.Helper()
	examples, err := os.ReadFile(examplePolicies)
	if err != nil {
		t.Fatal(err)
	}
	if i%2 == 0 {
		return []byte(soakPolicy(11+(i/2)%90) + string(examples))
	}
	bad := invalidVersions[(i/2)%len(invalidVersions)]
	return []byte(fmt.Sprintf("apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata:\n  name: soak\nspec:\n  %s\n---\n%s", bad, examples))
}

// generations maps each valid version's generation to its set, as the
// server loads it.
type generations map[string]*policy.Set

// loader loads one version's data as a policy source does.
type loader func(origin string, data []byte) (*policy.Set, error)

// add loads a valid version as the server does and records its generation.
func (g generations) add(t testing.TB, load loader, origin string, data []byte) string {
	t.Helper()
	set, err := load(origin, data)
	if err != nil {
		t.Fatalf("valid version rejected: %v", err)
	}
	g[set.Generation] = set
	return set.Generation
}

// fromFile loads data as the file source does from path.
func fromFile(path string, data []byte) (*policy.Set, error) {
	return policy.Load(policy.Source{Name: path, Data: data})
}

// expectedPatch is the patch the server must answer for pod under set:
// policy.Apply's patch for the pod as the server decodes it, with
// its namespace as namespaces gives it.
func expectedPatch(t testing.TB, set *policy.Set, namespaces NamespaceLookup, body []byte) string {
	t.Helper()
	var review struct {
		Request struct {
			Namespace string          `json:"namespace"`
			Object    json.RawMessage `json:"object"`
		} `json:"request"`
	}
	if err := json.Unmarshal(body, &review); err != nil {
		t.Fatal(err)
	}
	var pod corev1.Pod
	if err := json.Unmarshal(review.Request.Object, &pod); err != nil {
		t.Fatal(err)
	}
	ns, err := namespaces.Lookup(context.Background(), review.Request.Namespace)
	if err != nil {
		t.Fatal(err)
	}
	ops := policy.Apply(&pod, set, ns, policy.Options{}).Patch
	if len(ops) == 0 {
		return ""
	}
	raw, err := policy.MarshalPatch(ops)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

// soakPods are the Pods of every testdata manifest.
func soakPods(t testing.TB) []*corev1.Pod {
	t.Helper()
	paths, err := filepath.Glob("../testdata/pods/*")
	if err != nil {
		t.Fatal(err)
	}
	var pods []*corev1.Pod
	for _, p := range paths {
		for _, pod := range readPods(t, p) {
			if pod.Namespace == "" {
				pod.Namespace = "default"
			}
			pods = append(pods, pod)
		}
	}
	if len(pods) < 5 {
		t.Fatalf("only %d testdata pods", len(pods))
	}
	return pods
}

// TestReloadUnderLoad replaces the policy file 100 times (valid and invalid
// alternating) while pods are admitted at a steady rate over HTTPS: no
// request fails, every answer names a valid generation and carries exactly
// that generation's patch, and no invalid version is ever served.
func TestReloadUnderLoad(t *testing.T) {
	soak := soakFor(t, 0)
	path := filepath.Join(t.TempDir(), "policies.yaml")
	gens := generations{}
	first := policyVersion(t, 0)
	gens.add(t, fromFile, path, first)
	writeFile(t, path, first)
	srv := startServer(t, Options{PolicyFile: path})

	load := newLoadGenerator(t, srv.client.Transport.(*http.Transport).TLSClientConfig.Clone(),
		srv.webhook+MutatePodsPath, soakPods(t), 150)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *loadRun, 1)
	go func() { done <- load.run(ctx) }()

	accepted, rejected := replaceUnderLoad(t, soak, fromFile, path, func(data []byte) { replaceFile(t, path, data) }, gens)
	cancel()
	run := <-done
	run.report(t, "reload under load")
	t.Logf("reload under load: %d replacements (%d loaded, %d rejected), %d generations served",
		accepted+rejected, accepted, rejected, len(servedGenerations(run)))
	run.requireNoFailures(t)
	checkGenerations(t, run, load, gens, noClusterNamespaces{})
}

// servedGenerations counts the answers of each generation.
func servedGenerations(run *loadRun) map[string]int {
	served := map[string]int{}
	for _, r := range run.results {
		if r.response != nil {
			served[r.response.AuditAnnotations[AuditGeneration]]++
		}
	}
	return served
}

// checkGenerations checks that every answer names a valid generation and
// carries exactly the patch that generation gives its pod.
func checkGenerations(t *testing.T, run *loadRun, load *loadGenerator, gens generations, namespaces NamespaceLookup) {
	t.Helper()
	want := map[[2]string]string{} // {generation, pod index} -> patch
	mismatches := 0
	for _, r := range run.results {
		if r.response == nil {
			continue
		}
		gen := r.response.AuditAnnotations[AuditGeneration]
		set, ok := gens[gen]
		if !ok {
			t.Errorf("answer from generation %q, which is no valid version", gen)
			continue
		}
		key := [2]string{gen, fmt.Sprint(r.pod)}
		patch, ok := want[key]
		if !ok {
			patch = expectedPatch(t, set, namespaces, load.bodies[r.pod])
			want[key] = patch
		}
		if diff := cmp.Diff(patch, string(r.response.Patch)); diff != "" {
			if mismatches++; mismatches <= 3 {
				t.Errorf("pod %s under generation %s: patch differs from that generation's (-want +got):\n%s",
					load.pods[r.pod].Name, gen, diff)
			}
		}
	}
	if mismatches > 0 {
		t.Errorf("%d answers with a patch not of their generation", mismatches)
	}
	served := servedGenerations(run)
	names := make([]string, 0, len(served))
	for g := range served {
		names = append(names, g)
	}
	sort.Strings(names)
	t.Logf("generations served: %d of %d valid versions (%s...)", len(served), len(gens), strings.Join(names[:min(3, len(names))], ","))
}

// replaceUnderLoad replaces the policies with write 100 times, or until soak
// is over, valid and invalid versions alternating, each time waiting until
// the server loaded or rejected the version; the valid ones are added to
// gens with load.
func replaceUnderLoad(t *testing.T, soak time.Duration, load loader, origin string, write func([]byte), gens generations) (accepted, rejected int) {
	t.Helper()
	start := time.Now()
	for i := 1; i <= reloadReplacements || time.Since(start) < soak; i++ {
		data := policyVersion(t, i)
		okBefore := counterValue(t, reloadsTotal.WithLabelValues(reloadSuccess))
		badBefore := counterValue(t, reloadsTotal.WithLabelValues(reloadRejected))
		if i%2 == 0 {
			gens.add(t, load, origin, data)
		}
		write(data)
		eventually(t, fmt.Sprintf("replacement %d loaded or rejected", i), func() error {
			ok := counterValue(t, reloadsTotal.WithLabelValues(reloadSuccess)) - okBefore
			bad := counterValue(t, reloadsTotal.WithLabelValues(reloadRejected)) - badBefore
			switch {
			case i%2 == 0 && ok == 1 && bad == 0:
				accepted++
			case i%2 == 1 && bad == 1 && ok == 0:
				rejected++
			case ok+bad > 0:
				t.Fatalf("replacement %d (valid %v): %v loads, %v rejections", i, i%2 == 0, ok, bad)
			default:
				return errNotYet
			}
			return nil
		})
		time.Sleep(30 * time.Millisecond) // let requests see this version
	}
	return accepted, rejected
}
