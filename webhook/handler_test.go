package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/poolpatch/poolpatch/internal/cases"

	"github.com/google/go-cmp/cmp"
	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/policy"
)

const examplePolicies = "../testdata/policies/examples.yaml"

func readCases(t *testing.T) []cases.Case {
	t.Helper()
	list, err := cases.Read()
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// TestMutatePods sends every Pod of the golden cases over HTTPS and checks
// that the patch, applied as the API server applies it, gives exactly what
// policy.Apply (the engine behind `poolpatch mutate`) gives for the same
// inputs, with the same warnings and audit annotations.
func TestMutatePods(t *testing.T) {
	namespaces := staticNamespaces{}
	examples := readCases(t)
	for _, c := range examples {
		for _, pod := range readPods(t, filepath.Join("../testdata/pods", c.File)) {
			namespaces[pod.Namespace] = c.NamespaceLabels
		}
	}
	srv := startServer(t, Options{PolicyFile: examplePolicies, namespaces: namespaces})
	set := loadFile(t, examplePolicies)
	patched, compared := 0, 0
	for _, c := range examples {
		for _, pod := range readPods(t, filepath.Join("../testdata/pods", c.File)) {
			t.Run(c.Name+"/"+pod.Name, func(t *testing.T) {
				ns, _ := namespaces.Lookup(t.Context(), pod.Namespace)
				want := policy.Apply(pod, set, ns, policy.Options{})
				body := podReview(t, pod, admissionv1.Create)
				resp := srv.post(t, MutatePodsPath, body)
				if !resp.Allowed {
					t.Fatalf("pod denied: %+v", resp.Result)
				}
				got := applyPatch(t, pod, resp)
				if diff := cmp.Diff(want.Pod, got); diff != "" {
					t.Errorf("patched pod differs from policy.Apply (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(want.Warnings, resp.Warnings); diff != "" {
					t.Errorf("warnings (-want +got):\n%s", diff)
				}
				if diff := cmp.Diff(auditAnnotations(want, set), resp.AuditAnnotations); diff != "" {
					t.Errorf("audit annotations (-want +got):\n%s", diff)
				}
				if want.Changed {
					patched++
				}
				if compareCLIGolden(t, c, pod, got, resp.Warnings) {
					compared++
				}
			})
		}
	}
	t.Logf("%d pods patched, %d compared with the CLI golden output", patched, compared)
	if patched == 0 || compared == 0 {
		t.Errorf("%d pods patched, %d compared with the CLI's golden output: the test proves nothing", patched, compared)
	}
}

// compareCLIGolden compares the webhook's pod and warnings with the
// output of `poolpatch mutate` recorded in testdata/golden, for cases whose
// manifest is a single Pod. It reports whether it compared.
func compareCLIGolden(t *testing.T, c cases.Case, in, got *corev1.Pod, warnings []string) bool {
	t.Helper()
	if len(readPods(t, filepath.Join("../testdata/pods", c.File))) != 1 {
		return false
	}
	data, err := os.ReadFile(filepath.Join("../testdata/golden", c.Name+".yaml"))
	if err != nil {
		t.Errorf("no CLI golden output: %v", err)
		return false
	}
	var cli corev1.Pod
	if err := yaml.Unmarshal(data, &cli); err != nil || cli.Kind != "Pod" {
		return false // not a single Pod document
	}
	cli.TypeMeta = got.TypeMeta
	if diff := cmp.Diff(&cli, got); diff != "" {
		t.Errorf("webhook differs from poolpatch mutate's golden output (-cli +webhook):\n%s", diff)
	}
	stderr, err := os.ReadFile(filepath.Join("../testdata/golden", c.Name+".stderr"))
	if err != nil {
		t.Errorf("no CLI golden stderr: %v", err)
		return true
	}
	prefix := "warning: Pod " + in.Namespace + "/" + in.Name + ": "
	var cliWarnings []string
	for _, line := range strings.Split(strings.TrimSpace(string(stderr)), "\n") {
		if w, ok := strings.CutPrefix(line, prefix); ok {
			cliWarnings = append(cliWarnings, w)
		}
	}
	if diff := cmp.Diff(cliWarnings, warnings); diff != "" {
		t.Errorf("warnings differ from poolpatch mutate's (-cli +webhook):\n%s", diff)
	}
	return true
}

// applyPatch applies the response's patch to pod with the library the API
// server uses and returns the result.
func applyPatch(t testing.TB, pod *corev1.Pod, resp *admissionv1.AdmissionResponse) *corev1.Pod {
	t.Helper()
	original, err := json.Marshal(pod)
	if err != nil {
		t.Fatal(err)
	}
	out := pod.DeepCopy()
	if len(resp.Patch) == 0 {
		if resp.PatchType != nil {
			t.Errorf("patchType %s without a patch", *resp.PatchType)
		}
		return out
	}
	if resp.PatchType == nil || *resp.PatchType != admissionv1.PatchTypeJSONPatch {
		t.Fatalf("patchType = %v, want JSONPatch", resp.PatchType)
	}
	patch, err := jsonpatch.DecodePatch(resp.Patch)
	if err != nil {
		t.Fatalf("decode patch: %v", err)
	}
	mutated, err := patch.Apply(original)
	if err != nil {
		t.Fatalf("apply patch: %v\n%s", err, resp.Patch)
	}
	out = &corev1.Pod{}
	if err := json.Unmarshal(mutated, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func sparkExecutor(t testing.TB) *corev1.Pod {
	t.Helper()
	return readPods(t, "../testdata/pods/spark-executor.yaml")[0]
}

// TestNotPodCreate: anything but a Pod CREATE is allowed with no patch.
func TestNotPodCreate(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	pod := sparkExecutor(t)
	podRaw, _ := json.Marshal(pod)
	cm, _ := json.Marshal(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "x", Namespace: "analytics"}})
	podKind := metav1.GroupVersionKind{Version: "v1", Kind: "Pod"}
	tests := []struct {
		name string
		req  admissionv1.AdmissionRequest
	}{
		{"pod update", admissionv1.AdmissionRequest{Kind: podKind, Operation: admissionv1.Update, Object: runtimeRaw(podRaw), OldObject: runtimeRaw(podRaw)}},
		{"pod delete", admissionv1.AdmissionRequest{Kind: podKind, Operation: admissionv1.Delete, OldObject: runtimeRaw(podRaw)}},
		{"pod connect", admissionv1.AdmissionRequest{Kind: metav1.GroupVersionKind{Version: "v1", Kind: "PodExecOptions"}, SubResource: "exec", Operation: admissionv1.Connect}},
		{"pod binding", admissionv1.AdmissionRequest{Kind: metav1.GroupVersionKind{Version: "v1", Kind: "Binding"}, SubResource: "binding", Operation: admissionv1.Create}},
		{"pod ephemeral containers", admissionv1.AdmissionRequest{Kind: podKind, SubResource: "ephemeralcontainers", Operation: admissionv1.Create, Object: runtimeRaw(podRaw)}},
		{"configmap create", admissionv1.AdmissionRequest{Kind: metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"}, Operation: admissionv1.Create, Object: runtimeRaw(cm)}},
		{"other group Pod kind", admissionv1.AdmissionRequest{Kind: metav1.GroupVersionKind{Group: "example.com", Version: "v1", Kind: "Pod"}, Operation: admissionv1.Create, Object: runtimeRaw(podRaw)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req
			req.Namespace = "analytics"
			before := srv.metric(t, "poolpatch_admissions_total", `result="ignored"`)
			resp := srv.post(t, MutatePodsPath, review(t, &req))
			if !resp.Allowed || resp.Patch != nil || resp.PatchType != nil {
				t.Errorf("got allowed=%v patch=%s, want allowed without patch", resp.Allowed, resp.Patch)
			}
			if resp.UID != req.UID {
				t.Errorf("uid = %q, want %q", resp.UID, req.UID)
			}
			if after := srv.metric(t, "poolpatch_admissions_total", `result="ignored"`); after != before+1 {
				t.Errorf("ignored counter %v -> %v, want +1", before, after)
			}
		})
	}
}

// TestDryRunAndGenerateName: a dry-run create and a pod from generateName
// are mutated exactly like any other.
func TestDryRunAndGenerateName(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	pod := sparkExecutor(t)
	plain := srv.post(t, MutatePodsPath, podReview(t, pod, admissionv1.Create))
	dry := true
	var req admissionv1.AdmissionReview
	if err := json.Unmarshal(podReview(t, pod, admissionv1.Create), &req); err != nil {
		t.Fatal(err)
	}
	req.Request.DryRun = &dry
	body, _ := json.Marshal(req)
	dryResp := srv.post(t, MutatePodsPath, body)
	if len(plain.Patch) == 0 || !bytes.Equal(plain.Patch, dryResp.Patch) {
		t.Errorf("dry-run patch differs:\n%s\n%s", plain.Patch, dryResp.Patch)
	}
	generated := pod.DeepCopy()
	generated.Name, generated.GenerateName = "", "spark-pi-exec-"
	genResp := srv.post(t, MutatePodsPath, podReview(t, generated, admissionv1.Create))
	want := applyPatch(t, pod, plain)
	want.Name, want.GenerateName = "", "spark-pi-exec-"
	if diff := cmp.Diff(want, applyPatch(t, generated, genResp)); diff != "" {
		t.Errorf("generateName pod (-want +got):\n%s", diff)
	}
}

// TestMalformedBodies: bodies that are not AdmissionReviews get
// controller-runtime's error answer before any handler runs, and the server
// keeps serving.
func TestMalformedBodies(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	good := podReview(t, sparkExecutor(t), admissionv1.Create)
	huge := append([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"x","object":{"metadata":{"annotations":{"a":"`),
		bytes.Repeat([]byte("x"), 7<<20)...)
	huge = append(huge, []byte(`"}}}}}`)...)
	tests := []struct {
		name        string
		body        []byte
		contentType string
		code        int32
	}{
		{"empty", nil, "application/json", http.StatusBadRequest},
		{"truncated", good[:len(good)/2], "application/json", http.StatusBadRequest},
		{"not json", []byte("hello"), "application/json", http.StatusBadRequest},
		{"wrong kind", []byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}`), "application/json", http.StatusBadRequest},
		{"no request", []byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"}`), "application/json", http.StatusBadRequest},
		{"wrong content type", good, "text/plain", http.StatusBadRequest},
		{"over 7 MiB", huge, "application/json", http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, err := srv.client.Post(srv.webhook+MutatePodsPath, tt.contentType, bytes.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			var got admissionv1.AdmissionReview
			err = json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			if err != nil || got.Response == nil {
				t.Fatalf("answer is not an AdmissionReview: %v", err)
			}
			if got.Response.Allowed || got.Response.Result == nil || got.Response.Result.Code != tt.code {
				t.Errorf("got allowed=%v result=%+v, want denied with code %d", got.Response.Allowed, got.Response.Result, tt.code)
			}
			if next := srv.post(t, MutatePodsPath, good); !next.Allowed || len(next.Patch) == 0 {
				t.Errorf("next good request: allowed=%v patch=%d bytes", next.Allowed, len(next.Patch))
			}
		})
	}
}

// TestInternalErrors: a panic in the handler path admits the pod unpatched
// and counts it; with FailClosed it denies with code 500.
func TestInternalErrors(t *testing.T) {
	tests := []struct {
		name       string
		failClosed bool
	}{
		{"fail open", false},
		{"fail closed", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := startServer(t, Options{PolicyFile: examplePolicies, FailClosed: tt.failClosed,
				namespaces: panickingNamespaces{}})
			before := srv.metric(t, "poolpatch_admissions_total", `result="error"`)
			resp := srv.post(t, MutatePodsPath, podReview(t, sparkExecutor(t), admissionv1.Create))
			if resp.Patch != nil || resp.PatchType != nil {
				t.Errorf("patch after an internal error: %s", resp.Patch)
			}
			if tt.failClosed {
				if resp.Allowed || resp.Result == nil || resp.Result.Code != http.StatusInternalServerError {
					t.Errorf("got allowed=%v result=%+v, want denied with 500", resp.Allowed, resp.Result)
				}
			} else if !resp.Allowed || len(resp.Warnings) == 0 {
				t.Errorf("got allowed=%v warnings=%v, want allowed with a warning", resp.Allowed, resp.Warnings)
			}
			if after := srv.metric(t, "poolpatch_admissions_total", `result="error"`); after != before+1 {
				t.Errorf("error counter %v -> %v, want +1", before, after)
			}
		})
	}
}

// TestValidatePolicies: the validating handler rejects a ConfigMap whose
// policies do not load, with the loader's positioned errors.
func TestValidatePolicies(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	valid, _ := os.ReadFile(examplePolicies)
	invalid, _ := os.ReadFile("../testdata/policies/invalid.yaml")
	invalidData := map[string]string{"a.yaml": string(valid), "policies.yaml": string(invalid)}
	_, loadErr := policy.LoadConfigMap(invalidData)
	if loadErr == nil {
		t.Fatal("testdata/policies/invalid.yaml loads")
	}
	tests := []struct {
		name    string
		op      admissionv1.Operation
		data    map[string]string
		allowed bool
	}{
		{"valid create", admissionv1.Create, map[string]string{"policies.yaml": string(valid)}, true},
		{"invalid update", admissionv1.Update, invalidData, false},
		{"non-yaml keys ignored", admissionv1.Create, map[string]string{"README": "not: [yaml"}, true},
		{"delete allowed", admissionv1.Delete, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw, _ := json.Marshal(&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: "ns"}, Data: tt.data})
			req := &admissionv1.AdmissionRequest{Kind: metav1.GroupVersionKind{Version: "v1", Kind: "ConfigMap"},
				Namespace: "ns", Name: "p", Operation: tt.op, Object: runtimeRaw(raw)}
			resp := srv.post(t, ValidatePoliciesPath, review(t, req))
			if resp.Allowed != tt.allowed {
				t.Fatalf("allowed = %v, want %v (%+v)", resp.Allowed, tt.allowed, resp.Result)
			}
			if tt.allowed {
				return
			}
			if resp.Result.Code != http.StatusUnprocessableEntity {
				t.Errorf("code = %d, want 422", resp.Result.Code)
			}
			for _, line := range strings.Split(loadErr.Error(), "\n") {
				if !strings.Contains(resp.Result.Message, line) {
					t.Errorf("message lacks %q:\n%s", line, resp.Result.Message)
				}
			}
		})
	}
}

// TestMetricsExposed: after a patched pod, the metrics endpoint shows
// poolpatch's series and controller-runtime's webhook latency histogram.
func TestMetricsExposed(t *testing.T) {
	srv := startServer(t, Options{PolicyFile: examplePolicies})
	set := loadFile(t, examplePolicies)
	srv.post(t, MutatePodsPath, podReview(t, sparkExecutor(t), admissionv1.Create))
	windows := readPods(t, "../testdata/pods/pod-windows.yaml")[0]
	srv.post(t, MutatePodsPath, podReview(t, windows, admissionv1.Create))
	skip := policy.Apply(windows, set, policy.Namespace{Name: windows.Namespace}, policy.Options{}).Skips
	if len(skip) == 0 {
		t.Fatal("the Windows pod skips nothing")
	}
	for _, series := range []struct{ name, labels string }{
		{"poolpatch_admissions_total", `result="patched"`},
		{"poolpatch_policy_applications_total", `mode="Enforce",policy="spark-executors"`},
		{"poolpatch_settings_skipped_total", fmt.Sprintf(`policy=%q,reason=%q,setting=%q`, skip[0].Policy, skip[0].Reason, skip[0].Setting)},
		{"poolpatch_policy_reloads_total", `result="success"`},
		{"poolpatch_policy_generation_info", `generation="` + set.Generation + `"`},
		{"controller_runtime_webhook_latency_seconds_count", `webhook="/mutate-pods"`},
		{"controller_runtime_webhook_requests_total", `code="200",webhook="/mutate-pods"`},
	} {
		if v := srv.metric(t, series.name, series.labels); v < 1 {
			t.Errorf("%s{%s} = %v, want >= 1", series.name, series.labels, v)
		}
	}
}
