package webhook

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ServiceAccounts stepMetricsAuthz scrapes with: one without RBAC, one
// granted get on /metrics (two, since the filter caches each decision for a
// minute).
const (
	metricsStranger = "stranger"
	metricsScraper  = "scraper"
)

// stepMetricsAuthz: with a cluster the metrics endpoint speaks HTTPS only,
// and behind controller-runtime's filter a valid token without RBAC is
// forbidden while one granted get on /metrics is served.
func stepMetricsAuthz(t *testing.T, f *clusterFixture) {
	url := strings.Replace(f.srv.metrics, "http://", "https://", 1)
	if resp, err := (&http.Client{Timeout: 5 * time.Second}).Get(f.srv.metrics); err == nil {
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("plaintext scrape: HTTP %d, want 400", resp.StatusCode)
		}
	}
	if code := scrape(t, f, url, serviceAccountToken(t, f, metricsStranger)); code != http.StatusForbidden {
		t.Errorf("scrape with a token without RBAC: HTTP %d, want 403", code)
	}
	token := serviceAccountToken(t, f, metricsScraper)
	grantMetrics(t, f)
	eventually(t, "scrape allowed once granted", func() error {
		if code := scrape(t, f, url, token); code != http.StatusOK {
			return fmt.Errorf("%w: HTTP %d", errNotYet, code)
		}
		return nil
	})
}

// serviceAccountToken creates a ServiceAccount and a token for it.
func serviceAccountToken(t *testing.T, f *clusterFixture, name string) string {
	t.Helper()
	ctx := t.Context()
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: systemNamespace}}
	if _, err := f.client.CoreV1().ServiceAccounts(systemNamespace).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	tr, err := f.client.CoreV1().ServiceAccounts(systemNamespace).CreateToken(ctx, name,
		&authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return tr.Status.Token
}

// grantMetrics binds the scraper to a ClusterRole allowing get on /metrics.
func grantMetrics(t *testing.T, f *clusterFixture) {
	t.Helper()
	ctx := t.Context()
	role := &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "poolpatch-metrics-reader"},
		Rules: []rbacv1.PolicyRule{{NonResourceURLs: []string{"/metrics"}, Verbs: []string{"get"}}}}
	if _, err := f.client.RbacV1().ClusterRoles().Create(ctx, role, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "poolpatch-metrics-reader"},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: metricsScraper, Namespace: systemNamespace}}}
	if _, err := f.client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// scrape GETs url with a bearer token and returns the HTTP status.
func scrape(t *testing.T, f *clusterFixture, url, token string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := f.srv.client.Do(req)
	if err != nil {
		t.Fatalf("scrape: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
