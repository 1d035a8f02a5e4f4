package webhook

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/poolpatch/poolpatch/internal/repo"
)

const (
	systemNamespace = "poolpatch"
	policyConfigMap = "poolpatch-policies"
	teamNamespace   = "team-a"
)

// envtestAssets returns the directory of kube-apiserver and etcd, or skips
// the test when they have not been built.
func envtestAssets(t *testing.T) string {
	t.Helper()
	dir, err := repo.EnvtestAssets()
	if err != nil {
		t.Skip(err)
	}
	return dir
}

// webhookConfigurations registers the server with the API server as the
// Helm chart does: pods in opted-in namespaces, and the policy ConfigMap
// (only when labelled poolpatch.io/validate, so that the test can also push
// an invalid version past it to the informer).
func webhookConfigurations() ([]*admissionregistrationv1.MutatingWebhookConfiguration, []*admissionregistrationv1.ValidatingWebhookConfiguration) {
	none := admissionregistrationv1.SideEffectClassNone
	fail := admissionregistrationv1.Fail
	mutating := &admissionregistrationv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "poolpatch"},
		Webhooks: []admissionregistrationv1.MutatingWebhook{{
			Name: "pods.poolpatch.io",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{
				Namespace: systemNamespace, Name: "poolpatch", Path: ptr.To(strings.TrimPrefix(MutatePodsPath, "/"))}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"pods"}},
			}},
			NamespaceSelector:       &metav1.LabelSelector{MatchLabels: map[string]string{"poolpatch.io/enabled": "true"}},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			AdmissionReviewVersions: []string{"v1"},
			ReinvocationPolicy:      ptr.To(admissionregistrationv1.IfNeededReinvocationPolicy),
			TimeoutSeconds:          ptr.To[int32](5),
		}},
	}
	validating := &admissionregistrationv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: "poolpatch"},
		Webhooks: []admissionregistrationv1.ValidatingWebhook{{
			Name: "policies.poolpatch.io",
			ClientConfig: admissionregistrationv1.WebhookClientConfig{Service: &admissionregistrationv1.ServiceReference{
				Namespace: systemNamespace, Name: "poolpatch", Path: ptr.To(strings.TrimPrefix(ValidatePoliciesPath, "/"))}},
			Rules: []admissionregistrationv1.RuleWithOperations{{
				Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
				Rule:       admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"}, Resources: []string{"configmaps"}},
			}},
			ObjectSelector:          &metav1.LabelSelector{MatchLabels: map[string]string{"poolpatch.io/validate": "true"}},
			SideEffects:             &none,
			FailurePolicy:           &fail,
			AdmissionReviewVersions: []string{"v1"},
			TimeoutSeconds:          ptr.To[int32](5),
		}},
	}
	return []*admissionregistrationv1.MutatingWebhookConfiguration{mutating}, []*admissionregistrationv1.ValidatingWebhookConfiguration{validating}
}

// startEnvtest starts kube-apiserver and etcd with the webhooks registered.
func startEnvtest(t *testing.T) (*envtest.Environment, kubernetes.Interface) {
	t.Helper()
	mutating, validating := webhookConfigurations()
	env := &envtest.Environment{
		BinaryAssetsDirectory: envtestAssets(t),
		WebhookInstallOptions: envtest.WebhookInstallOptions{
			LocalServingHost: "127.0.0.1", MutatingWebhooks: mutating, ValidatingWebhooks: validating},
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for name, labels := range map[string]map[string]string{
		systemNamespace: nil,
		teamNamespace:   {"poolpatch.io/enabled": "true", "team": "data"},
	} {
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
		if _, err := client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	return env, client
}

// teamPolicy adds annotation example.com/team=value to pods of namespaces
// labelled team=data: matching needs the namespace informer.
func teamPolicy(value string) string {
	return fmt.Sprintf(`apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata:
  name: data-%[1]s
spec:
  match:
    namespaceSelector:
      matchLabels: {team: data}
  annotations:
    example.com/team: %[1]s
`, value)
}

// createPod creates a pod through the API server (dry-run unless real) and
// returns it as stored, after every admission webhook.
func createPod(t testing.TB, client kubernetes.Interface, namespace string, real bool) *corev1.Pod {
	t.Helper()
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{GenerateName: "app-", Namespace: namespace},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:1"}}},
	}
	opts := metav1.CreateOptions{}
	if !real {
		opts.DryRun = []string{metav1.DryRunAll}
	}
	got, err := client.CoreV1().Pods(namespace).Create(t.Context(), pod, opts)
	if err != nil {
		t.Fatalf("create pod: %v", err)
	}
	return got
}

// waitForPodTeam polls dry-run creates until the pods get team (or none).
func waitForPodTeam(t testing.TB, client kubernetes.Interface, team string) {
	t.Helper()
	eventually(t, "pods patched by the set with team "+team, func() error {
		if got := createPod(t, client, teamNamespace, false).Annotations["example.com/team"]; got != team {
			return fmt.Errorf("%w: team %q, want %q", errNotYet, got, team)
		}
		return nil
	})
}

func counterValue(t testing.TB, c interface{ Write(*dto.Metric) error }) float64 {
	t.Helper()
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

// clusterFixture is the API server, the policy ConfigMap and the server
// that TestConfigMapSource's steps share, in order.
type clusterFixture struct {
	client kubernetes.Interface
	cm     *corev1.ConfigMap
	srv    *testServer
}

// update writes the policy ConfigMap with policies (and labels).
func (f *clusterFixture) update(t *testing.T, policies string, labels map[string]string) error {
	t.Helper()
	cm := f.cm.DeepCopy()
	cm.Data["policies.yaml"], cm.Labels = policies, labels
	got, err := f.client.CoreV1().ConfigMaps(systemNamespace).Update(t.Context(), cm, metav1.UpdateOptions{})
	if err == nil {
		f.cm = got
	}
	return err
}

// TestConfigMapSource runs the server against a real API server: pods
// created through it are patched; ConfigMap edits reach the next requests;
// an invalid edit keeps the last good set and leaves an Event and a metric;
// the validating webhook rejects an invalid ConfigMap with positioned errors;
// a deleted ConfigMap means no policies.
func TestConfigMapSource(t *testing.T) {
	env, client := startEnvtest(t)
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: policyConfigMap, Namespace: systemNamespace},
		Data: map[string]string{"policies.yaml": teamPolicy("one")}}
	cm, err := client.CoreV1().ConfigMaps(systemNamespace).Create(t.Context(), cm, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wo := env.WebhookInstallOptions
	f := &clusterFixture{client: client, cm: cm}
	f.srv = startServer(t, Options{RestConfig: env.Config, PolicyConfigMap: systemNamespace + "/" + policyConfigMap,
		Host: wo.LocalServingHost, Port: wo.LocalServingPort, CertDir: wo.LocalServingCertDir}, wo.LocalServingCAData...)
	steps := []struct {
		name string
		run  func(t *testing.T, f *clusterFixture)
	}{
		{"pod created through the API server is patched", stepRealPod},
		{"pod of a namespace created a moment ago is patched", stepFreshNamespace},
		{"edit reaches the next requests", stepEdit},
		{"invalid edit keeps the last good set", stepInvalidEdit},
		{"validating webhook rejects with positions", stepValidatingWebhook},
		{"metrics need authentication", stepMetricsAuth},
		{"metrics need authorization, over HTTPS only", stepMetricsAuthz},
		{"reload under load", stepReloadUnderLoad},
		{"deleted ConfigMap means no policies", stepDelete},
	}
	for _, step := range steps {
		if !t.Run(step.name, func(t *testing.T) { step.run(t, f) }) {
			return // later steps build on this one
		}
	}
}

func stepRealPod(t *testing.T, f *clusterFixture) {
	pod := createPod(t, f.client, teamNamespace, true)
	if pod.Annotations["example.com/team"] != "one" || pod.Annotations["poolpatch.io/policies"] != "data-one" {
		t.Errorf("annotations = %v", pod.Annotations)
	}
}

func stepFreshNamespace(t *testing.T, f *clusterFixture) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "team-b",
		Labels: map[string]string{"poolpatch.io/enabled": "true", "team": "data"}}}
	if _, err := f.client.CoreV1().Namespaces().Create(t.Context(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := createPod(t, f.client, "team-b", false).Annotations["example.com/team"]; got != "one" {
		t.Errorf("team %q, want one", got)
	}
}

func stepEdit(t *testing.T, f *clusterFixture) {
	if err := f.update(t, teamPolicy("two"), nil); err != nil {
		t.Fatal(err)
	}
	waitForPodTeam(t, f.client, "two")
}

func stepInvalidEdit(t *testing.T, f *clusterFixture) {
	rejected := counterValue(t, reloadsTotal.WithLabelValues(reloadRejected))
	if err := f.update(t, string(brokenPolicy), nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, "PolicyRejected event", func() error { return findEvent(t.Context(), f.client, "policies.yaml:6:13") })
	if got := counterValue(t, reloadsTotal.WithLabelValues(reloadRejected)); got != rejected+1 {
		t.Errorf("rejected reloads %v -> %v, want +1", rejected, got)
	}
	if got := createPod(t, f.client, teamNamespace, false).Annotations["example.com/team"]; got != "two" {
		t.Errorf("after an invalid edit: team %q, want two", got)
	}
}

func stepValidatingWebhook(t *testing.T, f *clusterFixture) {
	err := f.update(t, string(brokenPolicy), map[string]string{"poolpatch.io/validate": "true"})
	if err == nil || !strings.Contains(err.Error(), "policies.yaml:6:13") {
		t.Errorf("update = %v, want a denial naming policies.yaml:6:13", err)
	}
}

func stepMetricsAuth(t *testing.T, f *clusterFixture) {
	resp, err := f.srv.client.Get(strings.Replace(f.srv.metrics, "http://", "https://", 1))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized && resp.StatusCode != http.StatusForbidden {
		t.Errorf("anonymous scrape: HTTP %d, want 401 or 403", resp.StatusCode)
	}
}

func stepDelete(t *testing.T, f *clusterFixture) {
	if err := f.client.CoreV1().ConfigMaps(systemNamespace).Delete(t.Context(), policyConfigMap, metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	waitForPodTeam(t, f.client, "")
}

// findEvent looks for the PolicyRejected Event on the policy ConfigMap whose
// message holds want.
func findEvent(ctx context.Context, client kubernetes.Interface, want string) error {
	events, err := client.CoreV1().Events(systemNamespace).List(ctx, metav1.ListOptions{
		FieldSelector: fields.OneTermEqualSelector("involvedObject.name", policyConfigMap).String()})
	if err != nil {
		return err
	}
	for _, ev := range events.Items {
		if ev.Reason == ReasonPolicyRejected && strings.Contains(ev.Message, want) {
			return nil
		}
	}
	return fmt.Errorf("%w: no %s event with %q among %d", errNotYet, ReasonPolicyRejected, want, len(events.Items))
}
