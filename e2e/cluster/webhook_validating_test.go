package cluster_test

import (
	"context"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// testValidatingWebhook registers the stand-in as the policy webhook and
// checks that only labelled ConfigMaps in the webhook's namespace are sent.
func testValidatingWebhook(ctx context.Context, t *testing.T, c *cluster.Cluster) {
	srv := httptest.NewTLSServer(http.HandlerFunc(standIn))
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})
	if _, err := c.CreateNamespace(ctx, "poolpatch-system", nil); err != nil {
		t.Fatal(err)
	}
	if err := c.RegisterValidatingWebhook(ctx, srv.URL+"/validate-policies", caPEM, "poolpatch-system"); err != nil {
		t.Fatal(err)
	}
	policy := map[string]string{cluster.PolicyLabel: "true"}
	for _, tc := range []struct {
		cm     *corev1.ConfigMap
		reject bool
	}{
		{configMap("poolpatch-system", "bad-policies", policy), true},
		{configMap("poolpatch-system", "unlabelled", nil), false},
		{configMap("harness", "elsewhere", policy), false},
	} {
		err := c.Client().Create(ctx, tc.cm)
		if rejected := err != nil; rejected != tc.reject {
			t.Errorf("configmap %s/%s: rejected = %v (%v), want %v", tc.cm.Namespace, tc.cm.Name, rejected, err, tc.reject)
		}
	}
	if err := c.UnregisterValidatingWebhook(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Client().Create(ctx, configMap("poolpatch-system", "after-unregister", policy)); err != nil {
		t.Errorf("configmap rejected after unregistering: %v", err)
	}
}

// configMap is a ConfigMap the stand-in webhook rejects when it sees it.
func configMap(ns, name string, labels map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name, Labels: labels},
		Data:       map[string]string{"invalid": "yes"},
	}
}
