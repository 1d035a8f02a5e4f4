package chart

import (
	"context"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// restrictedLabels make a namespace enforce, warn about and audit the
// restricted Pod Security level.
var restrictedLabels = map[string]string{
	"pod-security.kubernetes.io/enforce": "restricted",
	"pod-security.kubernetes.io/warn":    "restricted",
	"pod-security.kubernetes.io/audit":   "restricted",
}

// TestRestrictedPodSecurity installs the chart into a namespace enforcing
// the restricted level. Pod Security admission only warns about workload
// objects, so the test asserts that applying the chart draws no warning at
// all, then creates (dry run) a Pod built from the Deployment's template,
// which the enforcing admission would reject if it fell short.
func TestRestrictedPodSecurity(t *testing.T) {
	cl := getCluster(t)
	ctx := context.Background()
	const ns = "restricted"
	createNamespace(t, cl.client, ns, restrictedLabels)
	c, warns := warningClient(t, cl.cfg)

	objs := mustDecode(t, render(t, "psa", ns))
	for _, o := range objs {
		if err := applyObject(ctx, c, o, false); err != nil {
			t.Fatal(err)
		}
	}
	if w := warns.get(); len(w) > 0 {
		t.Errorf("applying the chart drew warnings: %q", w)
	}

	// Control: the same Deployment without its container security context
	// draws a Pod Security warning, so the check above can fail.
	bad := ofKind(objs, "Deployment")[0].DeepCopy()
	bad.SetName("psa-control")
	containers, _, _ := unstructured.NestedSlice(bad.Object, "spec", "template", "spec", "containers")
	delete(containers[0].(map[string]any), "securityContext")
	if err := unstructured.SetNestedSlice(bad.Object, containers, "spec", "template", "spec", "containers"); err != nil {
		t.Fatal(err)
	}
	before := len(warns.get())
	if err := applyObject(ctx, c, bad, true); err != nil {
		t.Fatal(err)
	}
	if w := warns.get()[before:]; len(w) == 0 || !strings.Contains(strings.Join(w, "\n"), "PodSecurity") {
		t.Errorf("a non-compliant Deployment drew no Pod Security warning (%q): the check proves nothing", w)
	}

	tmpl := podTemplate(t, ofKind(objs, "Deployment")[0])
	pod := func() *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{GenerateName: "psa-", Namespace: ns, Labels: tmpl.Labels},
			Spec:       *tmpl.Spec.DeepCopy(),
		}
	}
	tests := []struct {
		name    string
		mutate  func(*corev1.Pod)
		allowed bool
	}{
		{name: "pod template as rendered", mutate: func(*corev1.Pod) {}, allowed: true},
		{name: "control: privilege escalation allowed", mutate: func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext.AllowPrivilegeEscalation = nil
		}},
		{name: "control: no seccomp profile", mutate: func(p *corev1.Pod) {
			p.Spec.SecurityContext.SeccompProfile = nil
			p.Spec.Containers[0].SecurityContext.SeccompProfile = nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := pod()
			tc.mutate(p)
			before := len(warns.get())
			err := c.Create(ctx, p, client.DryRunAll)
			switch {
			case tc.allowed && err != nil:
				t.Fatalf("restricted namespace rejected the pod: %v", err)
			case !tc.allowed && !apierrors.IsForbidden(err):
				t.Fatalf("restricted namespace accepted a non-compliant pod (err %v): the check proves nothing", err)
			}
			if w := warns.get()[before:]; tc.allowed && len(w) > 0 {
				t.Errorf("creating the pod drew warnings: %q", w)
			}
		})
	}
}
