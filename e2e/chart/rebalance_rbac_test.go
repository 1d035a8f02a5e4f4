package chart

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	authorizationv1 "k8s.io/api/authorization/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"
)

// rebalanceRules are exactly the rules the rebalancer needs: its pod and node
// informers, evictions, its pods' owners, and Events on the evicted pods.
var rebalanceRules = []rbacv1.PolicyRule{
	{APIGroups: []string{""}, Resources: []string{"pods"}, Verbs: []string{"list", "watch"}},
	{APIGroups: []string{""}, Resources: []string{"pods/eviction"}, Verbs: []string{"create"}},
	{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"list", "watch"}},
	{APIGroups: []string{"apps"}, Resources: []string{"replicasets", "statefulsets"}, Verbs: []string{"get"}},
	{APIGroups: []string{""}, Resources: []string{"events"}, Verbs: []string{"create", "patch"}},
}

// TestRebalanceRBACRendered renders the chart with each value set: the
// rebalancer's ClusterRole and binding exist exactly when rebalance.enabled,
// with exactly rebalanceRules, bound to the chart's ServiceAccount.
func TestRebalanceRBACRendered(t *testing.T) {
	on := map[string]bool{"all": true, "rebalance": true}
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			objs := mustDecode(t, render(t, releaseName, releaseNamespace, vs.values...))
			var roles, bindings []*unstructured.Unstructured
			for _, o := range objs {
				switch {
				case o.GetKind() == "ClusterRole" && isRebalance(o):
					roles = append(roles, o)
				case o.GetKind() == "ClusterRoleBinding" && isRebalance(o):
					bindings = append(bindings, o)
				}
			}
			if got := slices.Contains(serverContainer(t, objs).Args, "--rebalance"); got != on[vs.name] {
				t.Errorf("server runs with --rebalance: %v, want %v", got, on[vs.name])
			}
			if !on[vs.name] {
				if len(roles)+len(bindings) > 0 {
					t.Fatalf("rebalance off, but %d ClusterRoles and %d ClusterRoleBindings of it rendered", len(roles), len(bindings))
				}
				return
			}
			if len(roles) != 1 || len(bindings) != 1 {
				t.Fatalf("rebalance on: %d ClusterRoles and %d ClusterRoleBindings rendered, want 1 and 1", len(roles), len(bindings))
			}
			var role rbacv1.ClusterRole
			var binding rbacv1.ClusterRoleBinding
			convert(t, roles[0], &role)
			convert(t, bindings[0], &binding)
			if diff := cmp.Diff(rebalanceRules, role.Rules); diff != "" {
				t.Errorf("ClusterRole %s rules (-want +got):\n%s", role.Name, diff)
			}
			wantRef := rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: role.Name}
			wantSubjects := []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: serviceAccountOf(objs, releaseName), Namespace: releaseNamespace}}
			if diff := cmp.Diff(wantRef, binding.RoleRef); diff != "" {
				t.Errorf("ClusterRoleBinding roleRef (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(wantSubjects, binding.Subjects); diff != "" {
				t.Errorf("ClusterRoleBinding subjects (-want +got):\n%s", diff)
			}
		})
	}
}

// isRebalance tells the rebalancer's cluster-wide objects by name.
func isRebalance(o *unstructured.Unstructured) bool {
	return strings.HasSuffix(o.GetName(), "-rebalance")
}

// convert decodes a rendered object into a typed one.
func convert(t *testing.T, o *unstructured.Unstructured, into any) {
	t.Helper()
	data, err := json.Marshal(o.Object)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, into); err != nil {
		t.Fatalf("decode %s: %v", describe(o), err)
	}
}

// rebalanceGranted are the calls rebalanceRules allow, in any namespace.
var rebalanceGranted = []authorizationv1.ResourceAttributes{
	attrsOf("", "pods", "", "list"), attrsOf("", "pods", "", "watch"), attrsOf("", "pods", "eviction", "create"),
	attrsOf("", "nodes", "", "list"), attrsOf("", "nodes", "", "watch"),
	attrsOf("apps", "replicasets", "", "get"), attrsOf("apps", "statefulsets", "", "get"),
	attrsOf("", "events", "", "create"), attrsOf("", "events", "", "patch"),
}

// rebalanceNever are calls near them that the chart never allows.
var rebalanceNever = []authorizationv1.ResourceAttributes{
	attrsOf("", "pods", "", "get"), attrsOf("", "pods", "", "delete"), attrsOf("", "pods", "", "deletecollection"),
	attrsOf("", "pods", "", "update"), attrsOf("", "pods", "", "patch"), attrsOf("", "pods", "", "create"),
	attrsOf("", "pods", "exec", "create"), attrsOf("", "pods", "status", "update"), attrsOf("", "pods", "binding", "create"),
	attrsOf("", "nodes", "", "get"), attrsOf("", "nodes", "", "update"), attrsOf("", "nodes", "", "patch"), attrsOf("", "nodes", "", "delete"),
	attrsOf("apps", "replicasets", "", "list"), attrsOf("apps", "replicasets", "", "update"), attrsOf("apps", "replicasets", "", "delete"),
	attrsOf("apps", "statefulsets", "", "list"), attrsOf("apps", "statefulsets", "", "patch"),
	attrsOf("apps", "deployments", "", "get"), attrsOf("apps", "daemonsets", "", "get"), attrsOf("batch", "jobs", "", "get"),
	attrsOf("", "events", "", "delete"), attrsOf("", "secrets", "", "get"),
	attrsOf("policy", "poddisruptionbudgets", "", "update"), attrsOf("policy", "poddisruptionbudgets", "", "delete"),
}

// attrsOf are the attributes of a call on a resource (or a subresource of it).
func attrsOf(group, resource, sub, verb string) authorizationv1.ResourceAttributes {
	return authorizationv1.ResourceAttributes{Group: group, Resource: resource, Subresource: sub, Verb: verb}
}

// TestRebalancePermissions applies the chart with rebalance off (the
// default) and on, and asks the API server, as the chart's ServiceAccount,
// what it may do in a namespace of workloads: nothing of the rebalancer's
// when off; when on, its rules in any namespace (the opted-in ones are
// chosen at run time) and nothing more: no pod get, delete or update, no
// node writes, no other owners, no Deployments.
func TestRebalancePermissions(t *testing.T) {
	cl := getCluster(t)
	ctx := context.Background()
	const workloads = "rebalance-workloads"
	createNamespace(t, cl.client, workloads, map[string]string{"poolpatch.io/enabled": "true"})
	admin := kubernetes.NewForConfigOrDie(cl.cfg)
	// No controller-manager here: the ServiceAccount admission plugin wants
	// the pod's ServiceAccount to exist.
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "default", Namespace: workloads}}
	if _, err := admin.CoreV1().ServiceAccounts(workloads).Create(ctx, sa, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "web-1", Namespace: workloads},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c", Image: "registry.example/web:1"}}}}
	if _, err := admin.CoreV1().Pods(workloads).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, values string
		on           bool
	}{{name: "off"}, {name: "on", values: "rebalance.yaml", on: true}} {
		t.Run(tc.name, func(t *testing.T) {
			ns := "rebalance-" + tc.name
			createNamespace(t, cl.client, ns, nil)
			var values []string
			if tc.values != "" {
				values = append(values, valuesFile(tc.values))
			}
			objs := mustDecode(t, render(t, ns, ns, values...))
			for _, o := range objs {
				if err := applyObject(ctx, cl.client, o, false); err != nil {
					t.Fatal(err)
				}
			}
			as := kubernetes.NewForConfigOrDie(impersonate(cl.cfg, ns, serviceAccountOf(objs, ns)))
			for _, target := range []string{workloads, "default"} {
				checkAccess(ctx, t, as, target, rebalanceGranted, tc.on)
				checkAccess(ctx, t, as, target, rebalanceNever, false)
			}
			checkRebalanceCalls(ctx, t, as, workloads, pod.Name, tc.on)
		})
	}
}

// checkAccess asks whether the caller may make each call in namespace ns
// (cluster-wide for nodes): every one allowed when allowed is true, every one
// forbidden otherwise.
func checkAccess(ctx context.Context, t *testing.T, as kubernetes.Interface, ns string, calls []authorizationv1.ResourceAttributes, allowed bool) {
	t.Helper()
	for _, attrs := range calls {
		attrs.Namespace = ns
		if attrs.Resource == "nodes" {
			attrs.Namespace = ""
		}
		err := canI(ctx, as, attrs)
		if allowed && err != nil {
			t.Errorf("%s %s/%s/%s in %q: want allowed, got %v", attrs.Verb, attrs.Group, attrs.Resource, attrs.Subresource, attrs.Namespace, err)
		}
		if !allowed && !apierrors.IsForbidden(err) {
			t.Errorf("%s %s/%s/%s in %q: want forbidden, got %v", attrs.Verb, attrs.Group, attrs.Resource, attrs.Subresource, attrs.Namespace, err)
		}
	}
}

// checkRebalanceCalls makes the rebalancer's calls for real: it lists pods
// and nodes, and evicts a pod as a dry run (the Eviction API, which checks
// PodDisruptionBudgets, leaves the pod in place).
func checkRebalanceCalls(ctx context.Context, t *testing.T, as kubernetes.Interface, ns, pod string, on bool) {
	t.Helper()
	calls := map[string]func() error{
		"list pods in all namespaces": func() error {
			_, err := as.CoreV1().Pods("").List(ctx, metav1.ListOptions{})
			return err
		},
		"list nodes": func() error {
			_, err := as.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
			return err
		},
		"evict a pod (dry run)": func() error {
			return as.PolicyV1().Evictions(ns).Evict(ctx, &policyv1.Eviction{
				ObjectMeta:    metav1.ObjectMeta{Name: pod, Namespace: ns},
				DeleteOptions: &metav1.DeleteOptions{DryRun: []string{metav1.DryRunAll}},
			})
		},
	}
	for name, call := range calls {
		err := call()
		switch {
		case on && err != nil:
			t.Errorf("%s: want allowed, got %v", name, err)
		case !on && !apierrors.IsForbidden(err):
			t.Errorf("rebalance off: %s: want forbidden, got %v", name, err)
		}
	}
}

// TestWritersRoleRebalanceOnly renders rebalance on with headroom off: the
// writers' Role holds the Lease rules and nothing of headroom's, and no
// headroom PriorityClass is rendered.
func TestWritersRoleRebalanceOnly(t *testing.T) {
	objs := mustDecode(t, render(t, releaseName, releaseNamespace, valuesFile("rebalance.yaml")))
	lease := fullname(releaseName) + "-writers"
	o := find(objs, "Role", lease)
	if o == nil {
		t.Fatalf("no Role %s rendered with rebalance on", lease)
	}
	var role rbacv1.Role
	convert(t, o, &role)
	want := []rbacv1.PolicyRule{
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, Verbs: []string{"create"}},
		{APIGroups: []string{"coordination.k8s.io"}, Resources: []string{"leases"}, ResourceNames: []string{lease}, Verbs: []string{"get", "update"}},
	}
	if diff := cmp.Diff(want, role.Rules); diff != "" {
		t.Errorf("Role %s rules (-want +got):\n%s", lease, diff)
	}
	if pcs := ofKind(objs, "PriorityClass"); len(pcs) > 0 {
		t.Errorf("headroom off, but PriorityClass %s rendered", pcs[0].GetName())
	}
	args := serverContainer(t, objs).Args
	for _, want := range []string{"--namespace=" + releaseNamespace, "--leader-election-id=" + lease, "--rebalance-interval=10s", "--rebalance-backoff=1h"} {
		if !slices.Contains(args, want) {
			t.Errorf("server args %q lack %s", args, want)
		}
	}
	if slices.ContainsFunc(args, func(a string) bool {
		return strings.HasPrefix(a, "--headroom") || strings.HasPrefix(a, "--owner-deployment")
	}) {
		t.Errorf("headroom off, but server args %q carry headroom flags", args)
	}
}
