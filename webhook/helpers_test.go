package webhook

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/poolpatch/poolpatch/internal/servingcert"

	"github.com/go-logr/logr"
	"go.uber.org/zap/zapcore"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/policy"
)

func TestMain(m *testing.M) {
	logf.SetLogger(testLogger())
	os.Exit(m.Run())
}

// testLogger logs at every verbosity, so that the V(1) and V(4) paths run,
// to stderr only with -v.
func testLogger() logr.Logger {
	out := io.Discard
	for _, arg := range os.Args {
		if arg == "-test.v=true" || arg == "-test.v" {
			out = os.Stderr
		}
	}
	return zap.New(zap.WriteTo(out), zap.Level(zapLevel(-4)))
}

// writeCerts writes a CA-signed serving certificate for 127.0.0.1 and
// localhost into dir and returns a pool holding the CA.
func writeCerts(t testing.TB, dir string) *x509.CertPool {
	t.Helper()
	caPEM, err := servingcert.Write(dir)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM does not parse")
	}
	return pool
}

func writeFile(t testing.TB, path string, data []byte) {
	t.Helper()
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// replaceFile swaps path's content by an atomic rename, as editors and mv do.
func replaceFile(t testing.TB, path string, data []byte) {
	t.Helper()
	tmp := path + ".tmp"
	writeFile(t, tmp, data)
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// freePort returns a TCP port free a moment ago on 127.0.0.1.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// testServer is a running Run with clients for its endpoints.
type testServer struct {
	client  *http.Client
	webhook string // https://127.0.0.1:PORT
	metrics string // http://127.0.0.1:PORT/metrics
	health  string // http://127.0.0.1:PORT
	certDir string
	done    chan error
	stop    func() error // cancels Run and returns what it returned
}

// startServer runs Run with opts until the test ends and waits until it is
// ready. It fills in what opts leaves zero: 127.0.0.1, free ports, a cert dir
// with a fresh certificate (or caPEM trusts the one in opts.CertDir), no
// cluster (unless opts names one) and the test logger.
func startServer(t *testing.T, opts Options, caPEM ...byte) *testServer {
	t.Helper()
	s := launch(t, opts, caPEM...)
	s.waitReady(t)
	return s
}

// launch starts Run as startServer does, without waiting for readiness.
func launch(t *testing.T, opts Options, caPEM ...byte) *testServer {
	t.Helper()
	pool := x509.NewCertPool()
	switch {
	case len(caPEM) > 0:
		pool.AppendCertsFromPEM(caPEM)
	case opts.CertDir == "":
		opts.CertDir = t.TempDir()
		pool = writeCerts(t, opts.CertDir)
	}
	if opts.RestConfig == nil && opts.Kubeconfig == "" {
		t.Setenv("KUBECONFIG", filepath.Join(t.TempDir(), "none"))
		t.Setenv("KUBERNETES_SERVICE_HOST", "")
	}
	if opts.Host == "" {
		opts.Host = "127.0.0.1"
	}
	if opts.Port == 0 {
		opts.Port = freePort(t)
	}
	metricsPort, healthPort := freePort(t), freePort(t)
	opts.MetricsBindAddress = fmt.Sprintf(":%d", metricsPort)
	opts.HealthProbeBindAddress = fmt.Sprintf("127.0.0.1:%d", healthPort)
	opts.Logger = testLogger()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Run(ctx, opts) }()
	var once sync.Once
	var runErr error
	stop := func() error {
		once.Do(func() {
			cancel()
			runErr = <-done
		})
		return runErr
	}
	t.Cleanup(func() {
		if err := stop(); err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	s := &testServer{
		client:  clientFor(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}),
		webhook: fmt.Sprintf("https://%s", net.JoinHostPort(opts.Host, strconv.Itoa(opts.Port))),
		metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", metricsPort),
		health:  fmt.Sprintf("http://127.0.0.1:%d", healthPort),
		certDir: opts.CertDir,
		done:    done,
		stop:    stop,
	}
	return s
}

// clientFor returns an HTTPS client with cfg and no connection reuse, so
// that every request makes a fresh TLS handshake.
func clientFor(cfg *tls.Config) *http.Client {
	return &http.Client{Timeout: 10 * time.Second,
		Transport: &http.Transport{TLSClientConfig: cfg, DisableKeepAlives: true}}
}

// probe returns the HTTP status of a probe path, or 0 when it cannot connect.
func (s *testServer) probe(path string) int {
	resp, err := http.Get(s.health + path)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

func (s *testServer) waitReady(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			t.Fatalf("Run ended before ready: %v", err)
		default:
		}
		if s.probe("/readyz") == http.StatusOK {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("server not ready after 30s")
}

// post sends body to path and decodes the AdmissionReview answer.
func (s *testServer) post(t testing.TB, path string, body []byte) *admissionv1.AdmissionResponse {
	t.Helper()
	resp, err := s.client.Post(s.webhook+path, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&review); err != nil {
		t.Fatalf("decode answer (HTTP %d): %v", resp.StatusCode, err)
	}
	if review.Response == nil {
		t.Fatalf("answer without response")
	}
	return review.Response
}

// metric scrapes the metrics endpoint and returns the sample of name with
// exactly labels (as written in the exposition, e.g. `result="error"`), or 0.
func (s *testServer) metric(t testing.TB, name, labels string) float64 {
	t.Helper()
	// The metrics server starts beside the webhook server and readiness
	// does not wait for it: right after startServer it may not listen yet.
	resp, err := http.Get(s.metrics)
	for deadline := time.Now().Add(5 * time.Second); errors.Is(err, syscall.ECONNREFUSED) && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
		resp, err = http.Get(s.metrics)
	}
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	defer resp.Body.Close()
	want := name
	if labels != "" {
		want += "{" + labels + "}"
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		cut := strings.LastIndexByte(line, ' ')
		if series, value := line[:max(cut, 0)], line[cut+1:]; cut > 0 && series == want {
			v, err := strconv.ParseFloat(value, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", want, err)
			}
			return v
		}
	}
	return 0
}

// eventually polls check every 50ms until it returns nil or 20s pass.
func eventually(t testing.TB, what string, check func() error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	var err error
	for time.Now().Before(deadline) {
		if err = check(); err == nil {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: %v", what, err)
}

var errNotYet = errors.New("not yet")

// podReview builds the AdmissionReview the API server sends for a Pod.
func podReview(t testing.TB, pod *corev1.Pod, op admissionv1.Operation) []byte {
	t.Helper()
	raw, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	return review(t, &admissionv1.AdmissionRequest{
		Kind:      metav1.GroupVersionKind{Version: "v1", Kind: "Pod"},
		Resource:  metav1.GroupVersionResource{Version: "v1", Resource: "pods"},
		Name:      pod.Name,
		Namespace: pod.Namespace,
		Operation: op,
		Object:    runtimeRaw(raw),
	})
}

// review wraps req, with a fresh UID, into an AdmissionReview body.
func review(t testing.TB, req *admissionv1.AdmissionRequest) []byte {
	t.Helper()
	req.UID = types.UID(fmt.Sprintf("uid-%d", time.Now().UnixNano()))
	body, err := json.Marshal(admissionv1.AdmissionReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "admission.k8s.io/v1", Kind: "AdmissionReview"},
		Request:  req,
	})
	if err != nil {
		t.Fatal(err)
	}
	return body
}

// readPods reads the Pods of a testdata manifest (YAML stream or JSON).
func readPods(t testing.TB, path string) []*corev1.Pod {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var pods []*corev1.Pod
	for _, doc := range strings.Split(string(data), "\n---") {
		var meta metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &meta); err != nil || meta.Kind != "Pod" {
			continue
		}
		pod := &corev1.Pod{}
		if err := yaml.UnmarshalStrict([]byte(doc), pod); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		pods = append(pods, pod)
	}
	return pods
}

// loadFile loads a policy file as the server does.
func loadFile(t testing.TB, path string) *policy.Set {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	set, err := policy.Load(policy.Source{Name: path, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// staticNamespaces serves fixed namespace labels (plus the name label the
// API server adds) in tests.
type staticNamespaces map[string]map[string]string

func (s staticNamespaces) Lookup(_ context.Context, name string) (policy.Namespace, error) {
	labels := map[string]string{corev1.LabelMetadataName: name}
	for k, v := range s[name] {
		labels[k] = v
	}
	return policy.Namespace{Name: name, Labels: labels}, nil
}

// panickingNamespaces makes the handler path panic, as a bug would.
type panickingNamespaces struct{}

func (panickingNamespaces) Lookup(context.Context, string) (policy.Namespace, error) {
	panic("test: namespace lookup exploded")
}

func runtimeRaw(raw []byte) runtime.RawExtension { return runtime.RawExtension{Raw: raw} }

func zapLevel(l int8) zapcore.Level { return zapcore.Level(l) }
