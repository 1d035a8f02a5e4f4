package controller

import (
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/utils/ptr"

	"github.com/poolpatch/poolpatch/policy"
)

// Labels on every object poolpatch writes, so that it finds (and prunes)
// exactly its own.
const (
	ManagedByLabel  = "app.kubernetes.io/managed-by"
	ManagedByValue  = "poolpatch"
	ComponentLabel  = "app.kubernetes.io/component"
	HeadroomValue   = "headroom"
	HeadroomPolicy  = "poolpatch.io/headroom-policy"
	placeholderUser = 65532
)

// The kinds the headroom writer manages.
var (
	PodTemplateGVK    = schema.GroupVersionKind{Version: "v1", Kind: "PodTemplate"}
	CapacityBufferGVK = schema.GroupVersionKind{Group: "autoscaling.x-k8s.io", Version: "v1beta1", Kind: "CapacityBuffer"}
	DeploymentGVK     = appsv1.SchemeGroupVersion.WithKind("Deployment")
	PriorityClassGVK  = schedulingv1.SchemeGroupVersion.WithKind("PriorityClass")
)

// Mode says how headroom is kept.
type Mode string

// The headroom modes.
const (
	// ModeCapacityBuffer writes a PodTemplate and a CapacityBuffer per
	// policy (Karpenter's CapacityBuffer feature gate); the default.
	ModeCapacityBuffer Mode = "capacitybuffer"
	// ModePlaceholder writes a Deployment of low-priority placeholder pods
	// per policy, which real pods preempt (cluster-autoscaler's classic
	// over-provisioning).
	ModePlaceholder Mode = "placeholder"
)

// DefaultPriorityClass is the placeholders' PriorityClass, created by the chart.
const DefaultPriorityClass = "poolpatch-headroom"

// PlaceholderPriority is the placeholders' priority: below every workload
// (pods without a class have 0), yet not below the cluster-autoscaler's
// expendable cutoff (-10), under which it would not scale up for them.
const PlaceholderPriority = -1

// Headroom configures the objects that keep headroom.
type Headroom struct {
	// Namespace is where the objects live: poolpatch's own namespace.
	Namespace string
	// Mode chooses CapacityBuffer or placeholder Deployments.
	Mode Mode
	// MaxChunks caps the chunks of the whole policy set.
	MaxChunks int
	// Image runs the placeholder container: poolpatch's image, whose prepull
	// binary sleeps until SIGTERM.
	Image string
	// PriorityClass is the placeholders' PriorityClass.
	PriorityClass string
	// Owner, when set, owns every object, so that uninstalling removes them.
	Owner *metav1.OwnerReference
}

// Objects returns the objects that keep the set's headroom, in policy order
// (a PodTemplate before its CapacityBuffer), and the engine's warnings. A
// set over the chunk cap returns an error wrapping policy.ErrHeadroomCap.
func (h Headroom) Objects(set *policy.Set) ([]*unstructured.Unstructured, []string, error) {
	chunks, err := set.Headroom(h.MaxChunks)
	if err != nil {
		return nil, nil, err
	}
	var objs []*unstructured.Unstructured
	var warnings []string
	for _, ch := range chunks {
		warnings = append(warnings, ch.Warnings...)
		typed := h.chunkObjects(ch)
		for _, obj := range typed {
			u, err := toUnstructured(obj)
			if err != nil {
				return nil, nil, fmt.Errorf("headroom of policy %s: %w", ch.Policy, err)
			}
			objs = append(objs, u)
		}
	}
	return objs, warnings, nil
}

// writes reports whether the mode writes objects of kind gvk.
func (h Headroom) writes(gvk schema.GroupVersionKind) bool {
	if h.Mode == ModePlaceholder {
		return gvk == DeploymentGVK
	}
	return gvk == PodTemplateGVK || gvk == CapacityBufferGVK
}

// ObjectName names the objects of a policy's headroom.
func ObjectName(policyName string) string { return "poolpatch-headroom-" + policyName }

func (h Headroom) chunkObjects(ch policy.Chunk) []runtime.Object {
	name := ObjectName(ch.Policy)
	template := h.podTemplate(ch)
	if h.Mode == ModePlaceholder {
		template.Spec.PriorityClassName = h.PriorityClass
		return []runtime.Object{&appsv1.Deployment{
			TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
			ObjectMeta: h.meta(name, ch.Policy),
			Spec: appsv1.DeploymentSpec{
				Replicas: ptr.To(ch.Replicas),
				Selector: &metav1.LabelSelector{MatchLabels: map[string]string{HeadroomPolicy: ch.Policy}},
				// Recreate: a rolling update would surge, and buy, one more
				// chunk than the policy asks for.
				Strategy: appsv1.DeploymentStrategy{Type: appsv1.RecreateDeploymentStrategyType},
				Template: template,
			},
		}}
	}
	return []runtime.Object{
		&corev1.PodTemplate{
			TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "PodTemplate"},
			ObjectMeta: h.meta(name, ch.Policy),
			Template:   template,
		},
		capacityBuffer(h.meta(name, ch.Policy), name, ch.Replicas),
	}
}

func (h Headroom) meta(name, policyName string) metav1.ObjectMeta {
	meta := metav1.ObjectMeta{Name: name, Namespace: h.Namespace, Labels: managedLabels(policyName)}
	if h.Owner != nil {
		meta.OwnerReferences = []metav1.OwnerReference{*h.Owner}
	}
	return meta
}

func managedLabels(policyName string) map[string]string {
	return map[string]string{ManagedByLabel: ManagedByValue, ComponentLabel: HeadroomValue, HeadroomPolicy: policyName}
}

// podTemplate is the chunk's pod as a template: the engine's pod, with the
// placeholder container's image, command and restricted security context.
func (h Headroom) podTemplate(ch policy.Chunk) corev1.PodTemplateSpec {
	pod := ch.Pod.DeepCopy()
	labels := pod.Labels
	if labels == nil {
		labels = map[string]string{}
	}
	labels[HeadroomPolicy] = ch.Policy
	spec := pod.Spec
	spec.AutomountServiceAccountToken = ptr.To(false)
	spec.EnableServiceLinks = ptr.To(false)
	// The placeholder exits at once on SIGTERM: preemption frees the node
	// without waiting.
	spec.TerminationGracePeriodSeconds = ptr.To[int64](1)
	spec.SecurityContext = &corev1.PodSecurityContext{
		RunAsNonRoot:   ptr.To(true),
		RunAsUser:      ptr.To[int64](placeholderUser),
		RunAsGroup:     ptr.To[int64](placeholderUser),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
	}
	c := &spec.Containers[0]
	c.Image = h.Image
	c.Command = []string{"/usr/local/bin/prepull", "--sleep"}
	c.ImagePullPolicy = corev1.PullIfNotPresent
	c.SecurityContext = &corev1.SecurityContext{
		AllowPrivilegeEscalation: ptr.To(false),
		ReadOnlyRootFilesystem:   ptr.To(true),
		Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
	}
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: labels, Annotations: pod.Annotations},
		Spec:       spec,
	}
}

// capacityBuffer is an autoscaling.x-k8s.io/v1beta1 CapacityBuffer holding
// replicas chunks of the PodTemplate named template. It is built
// unstructured: the type lives in the autoscaler's module, which poolpatch
// does not import for one small object.
func capacityBuffer(meta metav1.ObjectMeta, template string, replicas int32) *unstructured.Unstructured {
	u := &unstructured.Unstructured{Object: map[string]any{
		"spec": map[string]any{
			"podTemplateRef": map[string]any{"name": template},
			"replicas":       int64(replicas),
		},
	}}
	u.SetGroupVersionKind(CapacityBufferGVK)
	u.SetName(meta.Name)
	u.SetNamespace(meta.Namespace)
	u.SetLabels(meta.Labels)
	u.SetOwnerReferences(meta.OwnerReferences)
	return u
}

// PriorityClass is the placeholders' PriorityClass, for users who run
// without the chart (the chart creates it when placeholder mode is on).
func PriorityClass(name string) *unstructured.Unstructured {
	never := corev1.PreemptNever
	u, err := toUnstructured(&schedulingv1.PriorityClass{
		TypeMeta:         metav1.TypeMeta{APIVersion: "scheduling.k8s.io/v1", Kind: "PriorityClass"},
		ObjectMeta:       metav1.ObjectMeta{Name: name, Labels: map[string]string{ManagedByLabel: ManagedByValue, ComponentLabel: HeadroomValue}},
		Value:            PlaceholderPriority,
		PreemptionPolicy: &never,
		Description:      "poolpatch headroom placeholders: below every workload, which preempts them",
	})
	if err != nil {
		panic(err) // a fixed, typed object always converts
	}
	return u
}

func toUnstructured(obj runtime.Object) (*unstructured.Unstructured, error) {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u, nil
	}
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, fmt.Errorf("convert %T: %w", obj, err)
	}
	u := &unstructured.Unstructured{Object: m}
	// The converter keeps creationTimestamp: null and status: {}, which a
	// server-side apply would claim; drop them.
	unstructured.RemoveNestedField(u.Object, "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "status")
	unstructured.RemoveNestedField(u.Object, "template", "metadata", "creationTimestamp")
	unstructured.RemoveNestedField(u.Object, "spec", "template", "metadata", "creationTimestamp")
	return u, nil
}
