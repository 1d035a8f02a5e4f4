package webhook

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
)

// annotationPolicy is a one-policy set that adds annotation team=value to
// every pod.
func annotationPolicy(value string) []byte {
	return []byte(fmt.Sprintf(`apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata:
  name: team-%[1]s
spec:
  annotations:
    example.com/team: %[1]s
`, value))
}

// brokenPolicy fails validation at a known position.
var brokenPolicy = []byte(`apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata:
  name: broken
spec:
  eviction: always
`)

// generationServing asks the server which generation answered a pod, and
// what annotation it added.
func generationServing(t testing.TB, srv *testServer) (generation, team string) {
	t.Helper()
	pod := sparkExecutor(t)
	resp := srv.post(t, MutatePodsPath, podReview(t, pod, admissionv1.Create))
	return resp.AuditAnnotations[AuditGeneration], applyPatch(t, pod, resp).Annotations["example.com/team"]
}

// waitForTeam polls until requests are answered by the set that adds team.
func waitForTeam(t testing.TB, srv *testServer, team string) string {
	t.Helper()
	var gen string
	eventually(t, "new policy set serving", func() error {
		var got string
		gen, got = generationServing(t, srv)
		if got != team {
			return fmt.Errorf("%w: team %q, want %q", errNotYet, got, team)
		}
		return nil
	})
	return gen
}

// TestFileReload edits the watched policy file by atomic rename, and by the
// symlink swap of a mounted ConfigMap: the next requests use the new set; an
// invalid edit leaves the old set serving and bumps the rejection metric.
func TestFileReload(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, dir string) (path string, write func([]byte))
	}{
		{"atomic rename", func(t *testing.T, dir string) (string, func([]byte)) {
			path := filepath.Join(dir, "policies.yaml")
			return path, func(data []byte) { replaceFile(t, path, data) }
		}},
		{"configmap symlink swap", configMapVolume},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, write := tt.setup(t, t.TempDir())
			write(annotationPolicy("one"))
			srv := startServer(t, Options{PolicyFile: path})
			genOne := waitForTeam(t, srv, "one")

			write(annotationPolicy("two"))
			genTwo := waitForTeam(t, srv, "two")
			if genTwo == genOne {
				t.Errorf("generation did not change: %s", genTwo)
			}
			if v := srv.metric(t, "poolpatch_policy_generation_info", `generation="`+genTwo+`"`); v != 1 {
				t.Errorf("generation gauge for %s = %v, want 1", genTwo, v)
			}

			rejected := srv.metric(t, "poolpatch_policy_reloads_total", `result="rejected"`)
			write(brokenPolicy)
			eventually(t, "rejection counted", func() error {
				if got := srv.metric(t, "poolpatch_policy_reloads_total", `result="rejected"`); got != rejected+1 {
					return fmt.Errorf("%w: rejected %v, want %v", errNotYet, got, rejected+1)
				}
				return nil
			})
			if gen, team := generationServing(t, srv); gen != genTwo || team != "two" {
				t.Errorf("after an invalid edit: generation %s team %q, want %s and two", gen, team, genTwo)
			}
		})
	}
}

// configMapVolume lays out dir as the kubelet mounts a ConfigMap: the key is
// a symlink through ..data, itself a symlink to a timestamped directory, and
// an update swaps ..data by an atomic rename.
func configMapVolume(t *testing.T, dir string) (string, func([]byte)) {
	version := 0
	write := func(data []byte) {
		version++
		ts := fmt.Sprintf("..v%d", version)
		if err := os.Mkdir(filepath.Join(dir, ts), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, ts, "policies.yaml"), data)
		tmp := filepath.Join(dir, "..data_tmp")
		if err := os.Symlink(ts, tmp); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, "..data")); err != nil {
			t.Fatal(err)
		}
		link := filepath.Join(dir, "policies.yaml")
		if _, err := os.Lstat(link); os.IsNotExist(err) {
			if err := os.Symlink("..data/policies.yaml", link); err != nil {
				t.Fatal(err)
			}
		}
	}
	return filepath.Join(dir, "policies.yaml"), write
}

// TestMissingPolicyFile: a path that cannot be read fails Run at once.
func TestMissingPolicyFile(t *testing.T) {
	t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
	err := Run(t.Context(), Options{PolicyFile: filepath.Join(t.TempDir(), "nope.yaml"),
		HealthProbeBindAddress: "0", MetricsBindAddress: "0", Logger: testLogger()})
	if !errors.Is(err, errReadPolicyFile) {
		t.Fatalf("Run = %v, want an error wrapping errReadPolicyFile", err)
	}
}
