package controller

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/fields"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// TestHeadroomWriters runs two replicas' writers against a real API server:
// exactly one leads; without the CapacityBuffer CRD the PodTemplate is
// written and the buffer is an Event and a metric, retried until the CRD is
// installed; a policy change updates the objects; when the leader shuts
// down it releases the Lease and the other replica takes over at once; and
// removing the headroom deletes the objects.
func TestHeadroomWriters(t *testing.T) {
	f := startFixture(t)
	src := &policies{}
	src.load(t, 2)
	name := ObjectName("executors")
	o := f.options(ModeCapacityBuffer)
	errorsBefore := testutil.ToFloat64(writerErrors.WithLabelValues("headroom", ReasonCRDAbsent))
	a := f.startReplica(t, "a", src, o)
	eventually(t, "a replica leads", 30*time.Second, func() error {
		if f.holder(t) == "" {
			return errNotYet
		}
		return nil
	})
	first := f.holder(t)
	b := f.startReplica(t, "b", src, o)

	// CRD absent: the PodTemplate is written, the buffer fails loudly.
	eventually(t, "PodTemplate without the CRD", 30*time.Second, func() error {
		if f.get(t, "PodTemplate", name) == nil {
			return errNotYet
		}
		return nil
	})
	eventually(t, "crd-absent metric and Event", 30*time.Second, func() error {
		if testutil.ToFloat64(writerErrors.WithLabelValues("headroom", ReasonCRDAbsent)) <= errorsBefore {
			return fmt.Errorf("metric did not move")
		}
		return f.event(t, "HeadroomNotWritten", "CapacityBuffer")
	})
	checkTemplate(t, f.get(t, "PodTemplate", name), f.owner.UID)

	// The CRD arrives: the retry writes the buffer.
	if _, err := envtest.InstallCRDs(f.cfg, envtest.CRDInstallOptions{Paths: []string{f.crdPath}}); err != nil {
		t.Fatalf("install CapacityBuffer CRD: %v", err)
	}
	took := eventually(t, "CapacityBuffer after the CRD is installed", 60*time.Second, bufferReplicas(t, f, name, 2))
	t.Logf("CapacityBuffer written %s after the CRD was installed", took.Round(time.Millisecond))
	checkOwned(t, f.get(t, "CapacityBuffer", name), f.owner.UID)

	// A policy change reaches the buffer.
	src.load(t, 3)
	eventually(t, "buffer follows the policy", 30*time.Second, bufferReplicas(t, f, name, 3))
	if h := f.holder(t); h != first {
		t.Fatalf("the lease moved from %q to %q while its holder ran", first, h)
	}

	// Leader change: the leader shuts down, releases the Lease, the other
	// replica takes over without waiting for the lease to expire.
	if !strings.HasPrefix(first, hostPrefix(t)) {
		t.Fatalf("holder %q is not a replica's identity", first)
	}
	a.stop()
	took = eventually(t, "the other replica leads", 3*time.Second, func() error {
		if h := f.holder(t); h == "" || h == first {
			return fmt.Errorf("holder %q", h)
		}
		return nil
	})
	t.Logf("leader change: new leader %s after the old one stopped (lease duration %s)", took.Round(time.Millisecond), o.Elector.LeaseDuration)

	// The new leader writes: removing the headroom deletes the objects.
	src.load(t, -1)
	eventually(t, "objects deleted with the headroom", 30*time.Second, func() error {
		if f.get(t, "PodTemplate", name) != nil || f.get(t, "CapacityBuffer", name) != nil {
			return errNotYet
		}
		return nil
	})
	b.stop()
	if h := f.holder(t); h != "" {
		t.Errorf("Lease still held by %q after every replica stopped (released on cancel)", h)
	}
}

// TestHeadroomOverCapAndModes: a set over the cap writes nothing and keeps
// what exists; placeholder mode writes a Deployment and prunes the buffer
// mode's objects.
func TestHeadroomOverCapAndModes(t *testing.T) {
	f := startFixture(t)
	if _, err := envtest.InstallCRDs(f.cfg, envtest.CRDInstallOptions{Paths: []string{f.crdPath}}); err != nil {
		t.Fatalf("install CapacityBuffer CRD: %v", err)
	}
	src := &policies{}
	name := ObjectName("executors")
	buffers := f.writer(t, ModeCapacityBuffer, src)
	src.load(t, 2)
	if err := buffers.Pass(t.Context(), src.Current()); err != nil {
		t.Fatal(err)
	}
	bufferReplicas(t, f, name, 2)()
	src.load(t, 5) // the cap is 4
	if err := buffers.Pass(t.Context(), src.Current()); err == nil || !strings.Contains(err.Error(), "cap") {
		t.Fatalf("Pass over the cap: %v, want the cap error", err)
	}
	if err := bufferReplicas(t, f, name, 2)(); err != nil {
		t.Errorf("over the cap, the buffer must keep its last good size: %v", err)
	}
	// The recorder sends Events in the background.
	eventually(t, "over-cap Event", 30*time.Second, func() error { return f.event(t, "HeadroomNotWritten", "cap") })

	placeholders := f.writer(t, ModePlaceholder, src)
	src.load(t, 3)
	if err := placeholders.Pass(t.Context(), src.Current()); err != nil {
		t.Fatal(err)
	}
	d := f.get(t, "Deployment", name)
	if d == nil || d.Object["error"] != nil {
		t.Fatalf("placeholder Deployment: %v", d)
	}
	checkOwned(t, d, f.owner.UID)
	replicas, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
	class, _, _ := unstructured.NestedString(d.Object, "spec", "template", "spec", "priorityClassName")
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	if replicas != 3 || class != DefaultPriorityClass || len(containers) != 1 ||
		fmt.Sprint(containers[0].(map[string]any)["command"]) != "[/usr/local/bin/prepull --sleep]" {
		t.Errorf("placeholder Deployment: replicas %d, priorityClassName %q, containers %v", replicas, class, containers)
	}
	if f.get(t, "PodTemplate", name) != nil || f.get(t, "CapacityBuffer", name) != nil {
		t.Error("placeholder mode left the buffer mode's objects")
	}
	if f.get(t, "Deployment", ownerName) == nil {
		t.Fatal("the writer pruned poolpatch's own Deployment")
	}
}

func (f *fixture) writer(t *testing.T, mode Mode, src PolicySource) *HeadroomWriter {
	t.Helper()
	o := f.options(mode)
	ws, err := o.writers(Env{Config: f.cfg, Policies: src, Events: f.events, Log: loggerFor(t, string(mode))})
	if err != nil {
		t.Fatal(err)
	}
	return ws[0].(*HeadroomWriter)
}

func bufferReplicas(t *testing.T, f *fixture, name string, want int64) func() error {
	return func() error {
		u := f.get(t, "CapacityBuffer", name)
		if u == nil {
			return errNotYet
		}
		if e := u.Object["error"]; e != nil {
			return fmt.Errorf("%v", e)
		}
		got, _, _ := unstructured.NestedInt64(u.Object, "spec", "replicas")
		ref, _, _ := unstructured.NestedString(u.Object, "spec", "podTemplateRef", "name")
		if got != want || ref != name {
			return fmt.Errorf("replicas %d, podTemplateRef %q; want %d, %q", got, ref, want, name)
		}
		return nil
	}
}

// event finds a Warning Event on the owner Deployment with reason and a
// message containing substring.
func (f *fixture) event(t *testing.T, reason, substring string) error {
	t.Helper()
	list, err := f.kube.CoreV1().Events(testNamespace).List(t.Context(), metav1.ListOptions{
		FieldSelector: fields.Set{"involvedObject.name": ownerName, "reason": reason}.String()})
	if err != nil {
		return err
	}
	for _, e := range list.Items {
		if e.Type == corev1.EventTypeWarning && strings.Contains(e.Message, substring) {
			return nil
		}
	}
	return fmt.Errorf("no %s Event mentioning %q among %d", reason, substring, len(list.Items))
}

func checkOwned(t *testing.T, u *unstructured.Unstructured, owner any) {
	t.Helper()
	refs := u.GetOwnerReferences()
	if len(refs) != 1 || refs[0].Kind != "Deployment" || refs[0].Name != ownerName || string(refs[0].UID) != fmt.Sprint(owner) {
		t.Errorf("%s %s: owners %+v, want poolpatch's Deployment", u.GetKind(), u.GetName(), refs)
	}
	if l := u.GetLabels(); l[ManagedByLabel] != ManagedByValue || l[HeadroomPolicy] != "executors" {
		t.Errorf("%s %s: labels %v", u.GetKind(), u.GetName(), l)
	}
}

// checkTemplate checks the written PodTemplate carries the engine's chunk:
// the policy's pool, its requests and the placeholder container.
func checkTemplate(t *testing.T, u *unstructured.Unstructured, owner any) {
	t.Helper()
	checkOwned(t, u, owner)
	var tmpl corev1.PodTemplate
	if err := runtimeConvert(u, &tmpl); err != nil {
		t.Fatal(err)
	}
	spec := tmpl.Template.Spec
	if tmpl.Template.Labels["spark-role"] != "executor" || tmpl.Template.Annotations["poolpatch.io/policies"] != "executors" {
		t.Errorf("template metadata %+v", tmpl.Template.ObjectMeta)
	}
	na := spec.Affinity.NodeAffinity
	if na == nil || len(na.PreferredDuringSchedulingIgnoredDuringExecution) != 1 || len(spec.Tolerations) != 1 {
		t.Errorf("template placement %+v, tolerations %+v", spec.Affinity, spec.Tolerations)
	}
	c := spec.Containers[0]
	if c.Resources.Requests.Cpu().String() != "2" || c.Image != "poolpatch/poolpatch:test" || strings.Join(c.Command, " ") != "/usr/local/bin/prepull --sleep" {
		t.Errorf("template container %+v", c)
	}
}
