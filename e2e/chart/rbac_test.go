package chart

import (
	"context"
	"errors"
	"testing"

	authenticationv1 "k8s.io/api/authentication/v1"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	eventsv1 "k8s.io/api/events/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
)

// TestServiceAccountPermissions acts as the chart's ServiceAccount
// (impersonation) and makes the calls the server makes: it reads its policy
// ConfigMap the way an informer limited to one object does (get, and
// list/watch with the field selector metadata.name), reads and watches
// namespaces and LimitRanges, records Events, and reviews tokens and
// access for the metrics filter. Everything else is forbidden: Secrets,
// other ConfigMaps, writes to its own ConfigMap, Pods, Nodes and evictions
// (the rebalancer's, off by default).
func TestServiceAccountPermissions(t *testing.T) {
	cl := getCluster(t)
	ctx := context.Background()
	const ns, release = "rbac", "rbac"
	createNamespace(t, cl.client, ns, map[string]string{"team": "platform"})
	objs := mustDecode(t, render(t, release, ns))
	for _, o := range objs {
		if err := applyObject(ctx, cl.client, o, false); err != nil {
			t.Fatal(err)
		}
	}
	policies := fullname(release) + "-policies"
	if find(objs, "ConfigMap", policies) == nil {
		t.Fatalf("chart renders no ConfigMap %s", policies)
	}
	admin := kubernetes.NewForConfigOrDie(cl.cfg)
	if _, err := admin.CoreV1().ConfigMaps(ns).Create(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "other"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "secret"}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}

	sa := "system:serviceaccount:" + ns + ":" + fullname(release)
	cfg := rest.CopyConfig(cl.cfg)
	cfg.Impersonate = rest.ImpersonationConfig{
		UserName: sa,
		Groups:   []string{"system:serviceaccounts", "system:serviceaccounts:" + ns, "system:authenticated"},
	}
	as := kubernetes.NewForConfigOrDie(cfg)
	byName := metav1.ListOptions{FieldSelector: fields.OneTermEqualSelector("metadata.name", policies).String()}
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	now := metav1.NowMicro()

	tests := []struct {
		name    string
		call    func() error
		allowed bool
	}{
		{"get policy ConfigMap", func() error {
			_, err := as.CoreV1().ConfigMaps(ns).Get(ctx, policies, metav1.GetOptions{})
			return err
		}, true},
		{"list policy ConfigMap by field selector", func() error {
			_, err := as.CoreV1().ConfigMaps(ns).List(ctx, byName)
			return err
		}, true},
		{"watch policy ConfigMap by field selector", func() error {
			return watchOnce(as.CoreV1().ConfigMaps(ns).Watch(ctx, byName))
		}, true},
		{"list namespaces", func() error {
			_, err := as.CoreV1().Namespaces().List(ctx, metav1.ListOptions{})
			return err
		}, true},
		{"watch namespaces", func() error {
			return watchOnce(as.CoreV1().Namespaces().Watch(ctx, metav1.ListOptions{}))
		}, true},
		{"get namespace (live read of a new namespace)", func() error {
			n, err := as.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
			if err == nil && n.Labels["team"] != "platform" {
				t.Errorf("namespace labels = %v", n.Labels)
			}
			return err
		}, true},
		{"list limitranges in all namespaces", func() error {
			_, err := as.CoreV1().LimitRanges("").List(ctx, metav1.ListOptions{})
			return err
		}, true},
		{"watch limitranges in all namespaces", func() error {
			return watchOnce(as.CoreV1().LimitRanges("").Watch(ctx, metav1.ListOptions{}))
		}, true},
		{"create events.k8s.io Event", func() error {
			_, err := as.EventsV1().Events(ns).Create(ctx, &eventsv1.Event{
				ObjectMeta: metav1.ObjectMeta{Name: "policies.1"}, EventTime: now,
				Regarding: corev1.ObjectReference{Kind: "ConfigMap", Namespace: ns, Name: policies},
				Reason:    "PolicyRejected", Action: "Load", Type: corev1.EventTypeWarning,
				ReportingController: "poolpatch.io/webhook", ReportingInstance: "poolpatch-0",
			}, dryRun)
			return err
		}, true},
		{"create core Event", func() error {
			_, err := as.CoreV1().Events(ns).Create(ctx, &corev1.Event{
				ObjectMeta:     metav1.ObjectMeta{Name: "policies.2"},
				InvolvedObject: corev1.ObjectReference{Kind: "ConfigMap", Namespace: ns, Name: policies},
				Reason:         "PolicyRejected", Type: corev1.EventTypeWarning,
			}, dryRun)
			return err
		}, true},
		{"create tokenreviews", func() error {
			return canI(ctx, as, authorizationv1.ResourceAttributes{Group: authenticationv1.GroupName, Resource: "tokenreviews", Verb: "create"})
		}, true},
		{"create subjectaccessreviews", func() error {
			_, err := as.AuthorizationV1().SubjectAccessReviews().Create(ctx, &authorizationv1.SubjectAccessReview{
				Spec: authorizationv1.SubjectAccessReviewSpec{User: "someone", NonResourceAttributes: &authorizationv1.NonResourceAttributes{Path: "/metrics", Verb: "get"}},
			}, metav1.CreateOptions{})
			return err
		}, true},
		{"get Secret", func() error {
			_, err := as.CoreV1().Secrets(ns).Get(ctx, "secret", metav1.GetOptions{})
			return err
		}, false},
		{"list Secrets", func() error {
			_, err := as.CoreV1().Secrets(ns).List(ctx, metav1.ListOptions{})
			return err
		}, false},
		{"get other ConfigMap", func() error {
			_, err := as.CoreV1().ConfigMaps(ns).Get(ctx, "other", metav1.GetOptions{})
			return err
		}, false},
		{"list all ConfigMaps", func() error {
			_, err := as.CoreV1().ConfigMaps(ns).List(ctx, metav1.ListOptions{})
			return err
		}, false},
		{"list ConfigMaps in another namespace", func() error {
			_, err := as.CoreV1().ConfigMaps("default").List(ctx, byName)
			return err
		}, false},
		{"update policy ConfigMap", func() error {
			_, err := as.CoreV1().ConfigMaps(ns).Update(ctx, &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: policies, Namespace: ns}}, metav1.UpdateOptions{DryRun: []string{metav1.DryRunAll}})
			return err
		}, false},
		{"delete policy ConfigMap", func() error {
			return as.CoreV1().ConfigMaps(ns).Delete(ctx, policies, metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}})
		}, false},
		{"get LimitRange", func() error {
			_, err := as.CoreV1().LimitRanges(ns).Get(ctx, "any", metav1.GetOptions{})
			return err
		}, false},
		{"list Pods", func() error {
			_, err := as.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
			return err
		}, false},
		{"list nodes (rebalance off)", func() error {
			_, err := as.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
			return err
		}, false},
		{"evict pods (rebalance off)", func() error {
			return canI(ctx, as, authorizationv1.ResourceAttributes{Resource: "pods", Subresource: "eviction", Verb: "create", Namespace: ns})
		}, false},
		{"update namespace", func() error {
			return canI(ctx, as, authorizationv1.ResourceAttributes{Resource: "namespaces", Verb: "update", Name: ns})
		}, false},
		{"events in another namespace", func() error {
			return canI(ctx, as, authorizationv1.ResourceAttributes{Group: eventsv1.GroupName, Resource: "events", Verb: "create", Namespace: "default"})
		}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			switch {
			case tc.allowed && err != nil:
				t.Errorf("want allowed, got %v", err)
			case !tc.allowed && !apierrors.IsForbidden(err):
				t.Errorf("want forbidden, got %v", err)
			}
		})
	}
}

// watchOnce stops a watch that was opened; opening it is what RBAC checks.
func watchOnce(w interface{ Stop() }, err error) error {
	if err != nil {
		return err
	}
	w.Stop()
	return nil
}

// canI asks the API server whether the (impersonated) caller may do attrs,
// returning a Forbidden error when not.
func canI(ctx context.Context, cs kubernetes.Interface, attrs authorizationv1.ResourceAttributes) error {
	r, err := cs.AuthorizationV1().SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
		Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &attrs},
	}, metav1.CreateOptions{})
	if err != nil {
		return err
	}
	if !r.Status.Allowed {
		return apierrors.NewForbidden(schema.GroupResource{Group: attrs.Group, Resource: attrs.Resource}, attrs.Name, errors.New("denied by SelfSubjectAccessReview"))
	}
	return nil
}
