package chart

import (
	"context"
	"fmt"
	"testing"

	authorizationv1 "k8s.io/api/authorization/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
)

// TestWriterPermissions renders the chart with the writers off, with headroom
// in each mode and with rebalance alone, applies it, and asks the API server
// (SubjectAccessReview, as the chart's ServiceAccount) what the writers may
// do in the release namespace: nothing when off; their Lease, and for
// headroom the chart's Deployment by name and exactly the kinds of its mode,
// in the release namespace only, when on. Rebalance alone gets the Lease and
// none of headroom's rules (its cluster-wide rules: rebalance_rbac_test.go).
func TestWriterPermissions(t *testing.T) {
	cl := getCluster(t)
	ctx := context.Background()
	type check struct {
		name  string
		attrs authorizationv1.ResourceAttributes
	}
	lease := func(verb, name string) authorizationv1.ResourceAttributes {
		return authorizationv1.ResourceAttributes{Group: "coordination.k8s.io", Resource: "leases", Verb: verb, Name: name}
	}
	res := func(group, resource, verb, name string) authorizationv1.ResourceAttributes {
		return authorizationv1.ResourceAttributes{Group: group, Resource: resource, Verb: verb, Name: name}
	}
	writes := func(group, resource string) []authorizationv1.ResourceAttributes {
		var out []authorizationv1.ResourceAttributes
		for _, verb := range []string{"get", "list", "create", "patch", "delete"} {
			out = append(out, res(group, resource, verb, ""))
		}
		return out
	}
	tests := []struct {
		name             string
		values           string
		allowed, refused func(release string) []authorizationv1.ResourceAttributes
		priorityClass    bool
	}{
		{name: "off", values: "", allowed: func(string) []authorizationv1.ResourceAttributes { return nil },
			refused: func(release string) []authorizationv1.ResourceAttributes {
				return append(append(writes("", "podtemplates"), writes("autoscaling.x-k8s.io", "capacitybuffers")...),
					lease("create", ""), lease("update", fullname(release)+"-writers"), res("apps", "deployments", "get", fullname(release)))
			}},
		{name: "capacitybuffer", values: "headroom.yaml",
			allowed: func(release string) []authorizationv1.ResourceAttributes {
				return append(append(writes("", "podtemplates"), writes("autoscaling.x-k8s.io", "capacitybuffers")...),
					lease("create", ""), lease("get", fullname(release)+"-writers"), lease("update", fullname(release)+"-writers"),
					res("apps", "deployments", "get", fullname(release)))
			},
			refused: func(release string) []authorizationv1.ResourceAttributes {
				return []authorizationv1.ResourceAttributes{lease("update", "other"), lease("delete", fullname(release)+"-writers"),
					res("apps", "deployments", "patch", fullname(release)), res("apps", "deployments", "list", ""),
					res("apps", "deployments", "get", "other"), res("", "pods", "create", ""), res("", "podtemplates", "update", "x")}
			}},
		{name: "rebalance", values: "rebalance.yaml", // the Lease only: no headroom rules
			allowed: func(release string) []authorizationv1.ResourceAttributes {
				return []authorizationv1.ResourceAttributes{lease("create", ""), lease("get", fullname(release)+"-writers"),
					lease("update", fullname(release)+"-writers")}
			},
			refused: func(release string) []authorizationv1.ResourceAttributes {
				return append(append(append(writes("", "podtemplates"), writes("autoscaling.x-k8s.io", "capacitybuffers")...),
					writes("apps", "deployments")...),
					lease("update", "other"), lease("delete", fullname(release)+"-writers"), res("apps", "deployments", "get", fullname(release)))
			}},
		{name: "placeholder", values: "placeholder.yaml", priorityClass: true,
			allowed: func(release string) []authorizationv1.ResourceAttributes {
				return append(writes("apps", "deployments"), lease("update", fullname(release)+"-writers"))
			},
			refused: func(release string) []authorizationv1.ResourceAttributes {
				return append(writes("", "podtemplates"), writes("autoscaling.x-k8s.io", "capacitybuffers")...)
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := "writers-" + tt.name
			createNamespace(t, cl.client, ns, nil)
			var values []string
			if tt.values != "" {
				values = append(values, valuesFile(tt.values))
			}
			objs := mustDecode(t, render(t, ns, ns, values...))
			for _, o := range objs {
				if o.GetKind() == "PriorityClass" {
					checkPriorityClass(t, o)
					continue // cluster-scoped, and one name per release
				}
				if err := applyObject(ctx, cl.client, o, false); err != nil {
					t.Fatal(err)
				}
			}
			if got := find(objs, "PriorityClass", fullname(ns)+"-headroom") != nil; got != tt.priorityClass {
				t.Errorf("PriorityClass rendered: %v, want %v", got, tt.priorityClass)
			}
			as := kubernetes.NewForConfigOrDie(impersonate(cl.cfg, ns, serviceAccountOf(objs, ns)))
			for _, attrs := range tt.allowed(ns) {
				attrs.Namespace = ns
				if err := canI(ctx, as, attrs); err != nil {
					t.Errorf("%s %s/%s %q: want allowed, got %v", attrs.Verb, attrs.Group, attrs.Resource, attrs.Name, err)
				}
				attrs.Namespace = "default" // never outside the release namespace
				if err := canI(ctx, as, attrs); !apierrors.IsForbidden(err) {
					t.Errorf("%s %s/%s in another namespace: want forbidden, got %v", attrs.Verb, attrs.Group, attrs.Resource, err)
				}
			}
			for _, attrs := range tt.refused(ns) {
				attrs.Namespace = ns
				if err := canI(ctx, as, attrs); !apierrors.IsForbidden(err) {
					t.Errorf("%s %s/%s %q: want forbidden, got %v", attrs.Verb, attrs.Group, attrs.Resource, attrs.Name, err)
				}
			}
		})
	}
}

func checkPriorityClass(t *testing.T, o *unstructured.Unstructured) {
	t.Helper()
	// The decoder may give the number as int64 or float64: compare its text.
	value, _, _ := unstructured.NestedFieldNoCopy(o.Object, "value")
	policy, _, _ := unstructured.NestedString(o.Object, "preemptionPolicy")
	global, _, _ := unstructured.NestedBool(o.Object, "globalDefault")
	if fmt.Sprint(value) != "-1" || policy != "Never" || global {
		t.Errorf("PriorityClass value %v, preemptionPolicy %q, globalDefault %v; want -1, Never, false", value, policy, global)
	}
}

// serviceAccountOf returns the name of the ServiceAccount the chart renders.
func serviceAccountOf(objs []*unstructured.Unstructured, release string) string {
	for _, o := range objs {
		if o.GetKind() == "ServiceAccount" {
			return o.GetName()
		}
	}
	return fullname(release)
}
