package webhook

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// FuzzHandle posts arbitrary bodies to the pod webhook as the server mounts
// it. Whatever the body, the answer is an AdmissionReview; a denial only ever
// comes from a body that is no AdmissionReview (400, 413); a patch always
// applies, with the API server's library, to the pod as the API server
// serializes it.
func FuzzHandle(f *testing.F) {
	for _, c := range []string{"spark-executor.yaml", "spark-driver.yaml", "airflow-worker.yaml",
		"pod-windows.yaml", "pod-nodename.yaml", "daemonset-pod.yaml", "pod.json"} {
		for _, pod := range readPods(f, filepath.Join("../testdata/pods", c)) {
			good := podReview(f, pod, admissionv1.Create)
			f.Add(good)
			f.Add(good[:len(good)/2])
			f.Add(podReview(f, pod, admissionv1.Update))
		}
	}
	for _, seed := range hostileSeeds(f) {
		f.Add(seed)
	}
	f.Add([]byte(``))
	f.Add([]byte(`{}`))
	f.Add([]byte(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","object":{"spec":{"volumes":[{"name":"v","emptyDir":{}}]}}}}`))
	f.Add([]byte(`{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u","kind":{"version":"v1","kind":"Pod"},"operation":"CREATE","object":[]}}`))

	set := loadFile(f, examplePolicies)
	store := NewStore(testLogger())
	if _, err := store.Update("examples", func() (*policy.Set, error) { return set, nil }); err != nil {
		f.Fatal(err)
	}
	hook := newReviewHandler(&PodMutator{Policies: store, Namespaces: noClusterNamespaces{}}, testLogger())
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest(http.MethodPost, MutatePodsPath, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		hook.ServeHTTP(rec, req)
		var answer admissionv1.AdmissionReview
		if err := json.Unmarshal(rec.Body.Bytes(), &answer); err != nil || answer.Response == nil {
			t.Fatalf("answer is not an AdmissionReview: %v: %s", err, rec.Body.Bytes())
		}
		resp := answer.Response
		if !resp.Allowed {
			if resp.Result == nil || (resp.Result.Code != http.StatusBadRequest && resp.Result.Code != http.StatusRequestEntityTooLarge) {
				t.Fatalf("denied with %+v", resp.Result)
			}
			return
		}
		if len(resp.Patch) > 0 {
			checkPatchApplies(t, body, resp.Patch)
		}
	})
}

// checkPatchApplies applies patch to the request's pod as the API server
// would: to the JSON of the typed object.
func checkPatchApplies(t *testing.T, body, patch []byte) {
	t.Helper()
	var in admissionv1.AdmissionReview
	if err := json.Unmarshal(body, &in); err != nil || in.Request == nil {
		t.Fatalf("patch for a body that does not decode: %v", err)
	}
	var pod corev1.Pod
	if err := json.Unmarshal(in.Request.Object.Raw, &pod); err != nil {
		t.Fatalf("patch for an object that is not a pod: %v", err)
	}
	original, _ := json.Marshal(&pod)
	p, err := jsonpatch.DecodePatch(patch)
	if err != nil {
		t.Fatalf("decode patch: %v", err)
	}
	mutated, err := p.Apply(original)
	if err != nil {
		t.Fatalf("apply patch: %v\n%s", err, patch)
	}
	if err := json.Unmarshal(mutated, &corev1.Pod{}); err != nil {
		t.Fatalf("patched pod does not decode: %v", err)
	}
}
