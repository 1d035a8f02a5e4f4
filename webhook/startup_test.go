package webhook

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// unreadyFor checks that /readyz and /readyz/policies keep failing for d.
func (s *testServer) unreadyFor(t *testing.T, d time.Duration) {
	t.Helper()
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		for _, path := range []string{"/readyz", "/readyz/policies"} {
			if code := s.probe(path); code != http.StatusInternalServerError {
				t.Fatalf("%s = %d with no valid policy set, want 500", path, code)
			}
		}
	}
}

// TestUnreadyWithoutAValidSet: a replica whose first policy load is rejected
// (a rollback to a binary that does not know a newer field, a broken file at
// install) has no last good set: it stays unready, the rejected-reload
// metric counts it, and it becomes ready once a valid version arrives.
func TestUnreadyWithoutAValidSet(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policies.yaml")
	if err := os.WriteFile(path, brokenPolicy, 0o644); err != nil {
		t.Fatal(err)
	}
	rejected := counterValue(t, reloadsTotal.WithLabelValues(reloadRejected))
	srv := launch(t, Options{PolicyFile: path})
	eventually(t, "liveness", func() error {
		if code := srv.probe("/healthz"); code != http.StatusOK {
			return fmt.Errorf("%w: /healthz %d", errNotYet, code)
		}
		return nil
	})
	srv.unreadyFor(t, time.Second)
	if got := counterValue(t, reloadsTotal.WithLabelValues(reloadRejected)); got != rejected+1 {
		t.Errorf("rejected reloads %v -> %v, want +1", rejected, got)
	}
	if err := os.WriteFile(path+".new", annotationPolicy("one"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(path+".new", path); err != nil {
		t.Fatal(err)
	}
	srv.waitReady(t)
	if _, team := generationServing(t, srv); team != "one" {
		t.Errorf("team %q once ready, want one", team)
	}
}

// TestConfigMapInvalidAtStart: the same with the policy ConfigMap, against
// a real API server: unready, a PolicyRejected Event saying so, ready once
// the ConfigMap is fixed.
func TestConfigMapInvalidAtStart(t *testing.T) {
	env, client := startEnvtest(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: policyConfigMap, Namespace: systemNamespace},
		Data: map[string]string{"policies.yaml": string(brokenPolicy)}}
	cm, err := client.CoreV1().ConfigMaps(systemNamespace).Create(t.Context(), cm, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wo := env.WebhookInstallOptions
	srv := launch(t, Options{RestConfig: env.Config, PolicyConfigMap: systemNamespace + "/" + policyConfigMap,
		Host: wo.LocalServingHost, Port: wo.LocalServingPort, CertDir: wo.LocalServingCertDir}, wo.LocalServingCAData...)
	eventually(t, "PolicyRejected event", func() error {
		return findEvent(t.Context(), client, "no good set yet: this replica stays unready: ")
	})
	srv.unreadyFor(t, time.Second)
	cm.Data["policies.yaml"] = teamPolicy("one")
	if _, err := client.CoreV1().ConfigMaps(systemNamespace).Update(t.Context(), cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	srv.waitReady(t)
	waitForPodTeam(t, client, "one")
}
