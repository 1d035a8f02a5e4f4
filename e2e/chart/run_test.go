package chart

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/poolpatch/poolpatch/webhook"
)

// TestServerUnderServiceAccount runs the real server, configured by the
// arguments the chart renders, with the API access of the chart's
// ServiceAccount (impersonation) and its self-signed serving certificate.
// The server must load its policies from the ConfigMap, read namespace
// labels (also of a namespace created after it started), and serve metrics
// through TokenReview and SubjectAccessReview to a ServiceAccount bound to
// the chart's metrics-reader ClusterRole, and to nobody else.
func TestServerUnderServiceAccount(t *testing.T) {
	cl := getCluster(t)
	ctx := context.Background()
	const ns, release = "serve", "serve"
	createNamespace(t, cl.client, ns, nil)
	objs := mustDecode(t, render(t, release, ns, valuesFile("serve.yaml")))
	for _, o := range objs {
		if err := applyObject(ctx, cl.client, o, false); err != nil {
			t.Fatal(err)
		}
	}
	admin := kubernetes.NewForConfigOrDie(cl.cfg)
	for _, sa := range []string{"scraper", "nobody"} {
		if _, err := admin.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: sa}}, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	enabled := func(team string) map[string]string {
		return map[string]string{"poolpatch.io/enabled": "true", "team": team}
	}
	createNamespace(t, cl.client, "serve-data", enabled("data"))
	createNamespace(t, cl.client, "serve-web", enabled("web"))

	secret := tlsSecret(t, cl.client, ns, fullname(release)+"-selfsigned-tls")
	opts, err := parseServe(serverContainer(t, objs).Args)
	if err != nil {
		t.Fatal(err)
	}
	certDir := t.TempDir()
	for _, k := range []string{"tls.crt", "tls.key"} {
		if err := os.WriteFile(filepath.Join(certDir, k), secret.Data[k], 0o600); err != nil {
			t.Fatal(err)
		}
	}
	webhookAddr, metricsAddr, healthAddr := freeAddr(t), freeAddr(t), freeAddr(t)
	opts.Host, opts.Port = "127.0.0.1", portOf(t, webhookAddr)
	opts.CertDir, opts.MetricsBindAddress, opts.HealthProbeBindAddress = certDir, metricsAddr, healthAddr
	opts.RestConfig = impersonate(cl.cfg, ns, fullname(release))
	logs := &syncBuffer{}
	opts.Logger = funcr.NewJSON(func(obj string) { logs.WriteLine(obj) }, funcr.Options{})

	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- webhook.Run(runCtx, opts) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server: %v", err)
			}
		case <-time.After(45 * time.Second):
			t.Errorf("server did not stop within 45s")
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	waitReady(t, "http://"+healthAddr+"/readyz", done)
	// Created after the server synced its namespace cache.
	createNamespace(t, cl.client, "serve-late", enabled("data"))

	client := tlsClient(t, secret.Data["ca.crt"], fmt.Sprintf("%s.%s.svc", fullname(release), ns))
	for _, tc := range []struct {
		name, namespace string
		wantPatch       bool
	}{
		{name: "namespace team=data", namespace: "serve-data", wantPatch: true},
		{name: "namespace created after start", namespace: "serve-late", wantPatch: true},
		{name: "namespace team=web", namespace: "serve-web"},
	} {
		t.Run("mutate "+tc.name, func(t *testing.T) {
			resp := review(t, client, "https://"+webhookAddr+webhook.MutatePodsPath, tc.namespace)
			if !resp.Allowed {
				t.Fatalf("pod denied: %+v", resp.Result)
			}
			patched := strings.Contains(string(resp.Patch), "special01")
			if patched != tc.wantPatch {
				t.Errorf("patch names pool special01: %v, want %v (patch %s, warnings %q)", patched, tc.wantPatch, resp.Patch, resp.Warnings)
			}
		})
	}

	policies := find(objs, "ConfigMap", fullname(release)+"-policies")
	if policies == nil {
		t.Fatal("chart renders no policy ConfigMap")
	}
	for _, tc := range []struct {
		name    string
		data    map[string]string
		allowed bool
	}{
		{name: "as rendered", data: nil, allowed: true},
		{name: "bad weight", data: map[string]string{"policies.yaml": "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: x}\nspec:\n  pools: [{name: a, weight: 500}]\n"}},
	} {
		t.Run("validate policy ConfigMap "+tc.name, func(t *testing.T) {
			cm := policies.DeepCopy()
			if tc.data != nil {
				if err := unstructured.SetNestedStringMap(cm.Object, tc.data, "data"); err != nil {
					t.Fatal(err)
				}
			}
			resp := reviewObject(t, client, "https://"+webhookAddr+webhook.ValidatePoliciesPath, cm)
			if resp.Allowed != tc.allowed {
				t.Errorf("allowed = %v, want %v (%+v)", resp.Allowed, tc.allowed, resp.Result)
			}
			if !tc.allowed && (resp.Result == nil || !strings.Contains(resp.Result.Message, "policies.yaml:")) {
				t.Errorf("denial does not point into policies.yaml: %+v", resp.Result)
			}
		})
	}

	for _, tc := range []struct {
		sa         string
		wantStatus int
	}{
		{sa: "scraper", wantStatus: http.StatusOK},
		{sa: "nobody", wantStatus: http.StatusForbidden},
	} {
		t.Run("metrics as "+tc.sa, func(t *testing.T) {
			tr, err := admin.CoreV1().ServiceAccounts(ns).CreateToken(ctx, tc.sa, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
			if err != nil {
				t.Fatal(err)
			}
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+metricsAddr+"/metrics", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+tr.Status.Token)
			res, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != tc.wantStatus {
				t.Fatalf("GET /metrics: %s, want %d\n%.500s", res.Status, tc.wantStatus, body)
			}
		})
	}
}

// impersonate returns cfg acting as a ServiceAccount.
func impersonate(cfg *rest.Config, ns, name string) *rest.Config {
	cfg = rest.CopyConfig(cfg)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: "system:serviceaccount:" + ns + ":" + name,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
	}
	return cfg
}

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// portOf returns the port of a host:port address.
func portOf(t testing.TB, addr string) int {
	t.Helper()
	a, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	return a.Port
}

// waitReady polls the readiness probe until it answers 200 or the server
// stops.
func waitReady(t testing.TB, url string, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	var last string
	for time.Now().Before(deadline) {
		select {
		case err := <-done:
			t.Fatalf("server stopped before it was ready: %v", err)
		default:
		}
		res, err := http.Get(url)
		if err == nil {
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return
			}
			last = fmt.Sprintf("%s: %s", res.Status, body)
		} else {
			last = err.Error()
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("server not ready after 60s: %s", last)
}

// tlsClient trusts only ca and expects the certificate of serverName.
func tlsClient(t testing.TB, ca []byte, serverName string) *http.Client {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(ca) {
		t.Fatal("no CA certificate")
	}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool, ServerName: serverName, MinVersion: tls.VersionTLS12},
	}}
}

// review sends an AdmissionReview for creating a plain Pod in namespace and
// returns the response.
func review(t testing.TB, c *http.Client, url, namespace string) *admissionv1.AdmissionResponse {
	t.Helper()
	pod := &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Name: "app", Namespace: namespace},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "registry.example/app:1"}}},
	}
	u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(pod)
	if err != nil {
		t.Fatal(err)
	}
	return reviewObject(t, c, url, &unstructured.Unstructured{Object: u})
}

// reviewObject sends an AdmissionReview for creating obj (a core v1 object)
// and returns the response.
func reviewObject(t testing.TB, c *http.Client, url string, obj *unstructured.Unstructured) *admissionv1.AdmissionResponse {
	t.Helper()
	raw, err := obj.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	kind := obj.GetKind()
	gvk := metav1.GroupVersionKind{Version: "v1", Kind: kind}
	gvr := metav1.GroupVersionResource{Version: "v1", Resource: strings.ToLower(kind) + "s"}
	in := admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request: &admissionv1.AdmissionRequest{
			UID: types.UID("chart-test-" + obj.GetNamespace() + "-" + obj.GetName()), Kind: gvk, RequestKind: &gvk,
			Resource: gvr, RequestResource: &gvr, Namespace: obj.GetNamespace(), Name: obj.GetName(),
			Operation: admissionv1.Create, Object: runtime.RawExtension{Raw: raw},
		},
	}
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.Post(url, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out admissionv1.AdmissionReview
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
		t.Fatalf("decode AdmissionReview (%s): %v", res.Status, err)
	}
	if out.Response == nil {
		t.Fatalf("AdmissionReview without response (%s)", res.Status)
	}
	return out.Response
}

// syncBuffer collects log lines from the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// WriteLine appends one line.
func (b *syncBuffer) WriteLine(s string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.WriteString(s)
	b.buf.WriteByte('\n')
}

// String returns everything written.
func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
