package cluster_test

import (
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// seenAnnotation is what the stand-in webhook adds to every pod it sees.
const seenAnnotation = "e2e.poolpatch.io/seen"

// testWebhook registers a stand-in webhook and checks the registration's
// namespace selector, object selector and DaemonSet matchCondition, then
// that unregistering stops the calls.
func testWebhook(ctx context.Context, t *testing.T, c *cluster.Cluster) {
	srv := httptest.NewTLSServer(http.HandlerFunc(standIn))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if _, err := c.CreateNamespace(ctx, "hooked", map[string]string{"poolpatch.io/enabled": "true"}); err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterMutatingWebhook(ctx, srv.URL+"/mutate-pods", caPEM); err != nil {
		t.Fatal(err)
	}
	optedOut := podIn("hooked", "opted-out")
	optedOut.Labels = map[string]string{"poolpatch.io/mutate": "false"}
	daemon := podIn("hooked", "daemon")
	daemon.OwnerReferences = []metav1.OwnerReference{{
		APIVersion: "apps/v1", Kind: "DaemonSet", Name: "agent", UID: types.UID("0b0e4b1c-1f7c-4f4e-9d59-000000000001"),
	}}
	for _, tc := range []struct {
		pod  *corev1.Pod
		want bool
	}{
		{podIn("hooked", "mutated"), true},
		{optedOut, false},
		{daemon, false},
		{podIn("harness", "other-namespace"), false},
	} {
		checkSeen(ctx, t, c, tc.pod, tc.want)
	}
	if err := c.UnregisterMutatingWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	checkSeen(ctx, t, c, podIn("hooked", "after-unregister"), false)
}

// checkSeen creates p and checks whether the webhook annotated it.
func checkSeen(ctx context.Context, t *testing.T, c *cluster.Cluster, p *corev1.Pod, want bool) {
	t.Helper()
	if err := c.Client().Create(ctx, p); err != nil {
		t.Fatalf("create pod %s/%s: %v", p.Namespace, p.Name, err)
	}
	if got := p.Annotations[seenAnnotation] == "true"; got != want {
		t.Errorf("pod %s/%s: webhook called = %v, want %v", p.Namespace, p.Name, got, want)
	}
}

// podIn is a one-container pod in namespace ns.
func podIn(ns, name string) *corev1.Pod {
	p := pod(name)
	p.Namespace = ns
	return p
}

// standIn is a stand-in for poolpatch's server: it adds seenAnnotation to
// every pod (the test pods carry no annotations of their own) and rejects
// every ConfigMap with a key named "invalid".
func standIn(w http.ResponseWriter, r *http.Request) {
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(r.Body).Decode(&review); err != nil || review.Request == nil {
		http.Error(w, "bad review", http.StatusBadRequest)
		return
	}
	resp := &admissionv1.AdmissionResponse{UID: review.Request.UID, Allowed: true}
	switch review.Request.Kind.Kind {
	case "Pod":
		resp.Patch = []byte(`[{"op":"add","path":"/metadata/annotations","value":{"` + seenAnnotation + `":"true"}}]`)
		resp.PatchType = new(admissionv1.PatchTypeJSONPatch)
	case "ConfigMap":
		var cm corev1.ConfigMap
		if err := json.Unmarshal(review.Request.Object.Raw, &cm); err == nil && cm.Data["invalid"] != "" {
			resp.Allowed = false
			resp.Result = &metav1.Status{Message: "invalid policy", Code: http.StatusUnprocessableEntity}
		}
	}
	review.Response, review.Request = resp, nil
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(review)
}
