package chart

import (
	"context"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// fullname is the chart's poolpatch.fullname for a release without overrides.
func fullname(release string) string {
	if strings.Contains(release, "poolpatch") {
		return release
	}
	return release + "-poolpatch"
}

// TestHelmInstallUpgrade installs, upgrades and uninstalls the chart with
// the pinned helm. Without cert-manager the upgrade must keep the generated
// CA and serving certificate: the Secret is reused through lookup, so the
// webhook configurations keep trusting the running pods.
func TestHelmInstallUpgrade(t *testing.T) {
	cl := getCluster(t)
	tests := []struct {
		name       string
		release    string
		values     []string
		selfSigned bool
	}{
		{name: "cert-manager", release: "cm"},
		{name: "self-signed", release: "selfsigned", values: []string{valuesFile("nocertmanager.yaml")}, selfSigned: true},
		{name: "all options", release: "all", values: []string{valuesFile("all.yaml")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			ns := "install-" + tc.release
			helm := func(args ...string) {
				t.Helper()
				args = append(args, "--namespace", ns)
				for _, v := range tc.values {
					args = append(args, "--values", v)
				}
				if _, err := runTool(t, "helm", cl.kubeconfig, args...); err != nil {
					t.Fatal(err)
				}
			}
			rendered := mustDecode(t, render(t, tc.release, ns, tc.values...))
			deployments := ofKind(rendered, "Deployment")
			if len(deployments) != 1 {
				t.Fatalf("chart renders %d Deployments, want 1", len(deployments))
			}
			mutating := ofKind(rendered, "MutatingWebhookConfiguration")[0].GetName()

			helm("install", tc.release, chartDir, "--create-namespace")
			var before *corev1.Secret
			if tc.selfSigned {
				before = tlsSecret(t, cl.client, ns, fullname(tc.release)+"-selfsigned-tls")
				checkServingCert(t, before, fmt.Sprintf("%s.%s.svc", fullname(tc.release), ns))
				checkCABundles(t, cl.client, mutating, before.Data["ca.crt"])
			}

			helm("upgrade", tc.release, chartDir, "--set", "replicaCount=4")
			var d appsv1.Deployment
			if err := cl.client.Get(ctx, client.ObjectKey{Namespace: ns, Name: deployments[0].GetName()}, &d); err != nil {
				t.Fatal(err)
			}
			if d.Spec.Replicas == nil || *d.Spec.Replicas != 4 {
				t.Errorf("after upgrade replicas = %v, want 4", d.Spec.Replicas)
			}
			if tc.selfSigned {
				after := tlsSecret(t, cl.client, ns, fullname(tc.release)+"-selfsigned-tls")
				if diff := cmp.Diff(before.Data, after.Data); diff != "" {
					t.Errorf("upgrade changed the self-signed TLS Secret (-before +after):\n%s", diff)
				}
				checkCABundles(t, cl.client, mutating, before.Data["ca.crt"])
			}

			if _, err := runTool(t, "helm", cl.kubeconfig, "uninstall", tc.release, "--namespace", ns, "--wait"); err != nil {
				t.Fatal(err)
			}
			gone := &admissionregistrationv1.MutatingWebhookConfiguration{}
			deadline := time.Now().Add(30 * time.Second)
			for {
				err := cl.client.Get(ctx, client.ObjectKey{Name: mutating}, gone)
				if apierrors.IsNotFound(err) {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("MutatingWebhookConfiguration %s still there after uninstall: %v", mutating, err)
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}

// tlsSecret reads the TLS Secret of a release.
func tlsSecret(t testing.TB, c client.Client, ns, name string) *corev1.Secret {
	t.Helper()
	var s corev1.Secret
	if err := c.Get(context.Background(), client.ObjectKey{Namespace: ns, Name: name}, &s); err != nil {
		t.Fatalf("get TLS Secret: %v", err)
	}
	for _, k := range []string{"ca.crt", "tls.crt", "tls.key"} {
		if len(s.Data[k]) == 0 {
			t.Fatalf("Secret %s/%s has no %s", ns, name, k)
		}
	}
	return &s
}

// checkServingCert verifies that the Secret's CA signed its serving
// certificate for dnsName, for server authentication.
func checkServingCert(t testing.TB, s *corev1.Secret, dnsName string) {
	t.Helper()
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(s.Data["ca.crt"]) {
		t.Fatal("ca.crt holds no PEM certificate")
	}
	block, _ := pem.Decode(s.Data["tls.crt"])
	if block == nil {
		t.Fatal("tls.crt holds no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatalf("parse tls.crt: %v", err)
	}
	if _, err := cert.Verify(x509.VerifyOptions{
		DNSName:   dnsName,
		Roots:     pool,
		KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}); err != nil {
		t.Errorf("serving certificate does not verify for %s: %v", dnsName, err)
	}
}

// checkCABundles asserts both webhook configurations of a release trust ca.
func checkCABundles(t testing.TB, c client.Client, name string, ca []byte) {
	t.Helper()
	ctx := context.Background()
	var m admissionregistrationv1.MutatingWebhookConfiguration
	if err := c.Get(ctx, client.ObjectKey{Name: name}, &m); err != nil {
		t.Fatal(err)
	}
	var v admissionregistrationv1.ValidatingWebhookConfiguration
	if err := c.Get(ctx, client.ObjectKey{Name: name}, &v); err != nil {
		t.Fatal(err)
	}
	var bundles [][]byte
	for _, w := range m.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	for _, w := range v.Webhooks {
		bundles = append(bundles, w.ClientConfig.CABundle)
	}
	for i, b := range bundles {
		if string(b) != string(ca) {
			t.Errorf("webhook %d of %s does not carry the Secret's CA as caBundle", i, name)
		}
	}
}
