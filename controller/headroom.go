package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/policy"
)

// FieldOwner is the server-side apply manager of every object poolpatch writes.
const FieldOwner = "poolpatch"

// Writer timings.
const (
	DefaultPoll       = time.Second
	DefaultResync     = 5 * time.Minute
	DefaultBackoffMin = time.Second
	DefaultBackoffMax = 2 * time.Minute
)

// PolicySource gives the policy set serving now, or nil before the first load.
type PolicySource interface {
	Current() *policy.Set
}

// HeadroomWriter keeps, in Headroom.Namespace, exactly the objects that the
// policy set's headroom asks for: it applies them when the set changes (and
// every Resync, to repair edits and deletions) and deletes its own objects
// that no policy asks for any more. A failed pass is an Event on the owner,
// a metric and a log line, and is retried with exponential back-off.
type HeadroomWriter struct {
	Client   client.Client
	Headroom Headroom
	// OwnerDeployment, when set, names poolpatch's Deployment in Namespace,
	// which owns every object written (so uninstalling removes them) and
	// receives the Events.
	OwnerDeployment string
	Policies        PolicySource
	Events          record.EventRecorder
	Log             logr.Logger
	// Poll is how often the policy set is checked for a change; Resync how
	// often a pass runs without one. Zero means the Default* values.
	Poll, Resync time.Duration
	// BackoffMin and BackoffMax bound the retry delay of failed passes.
	BackoffMin, BackoffMax time.Duration
}

// Name implements Writer.
func (w *HeadroomWriter) Name() string { return "headroom" }

// Run keeps the objects in line until ctx ends. It never returns an error:
// nothing a writer meets may stop the server it runs in.
func (w *HeadroomWriter) Run(ctx context.Context) {
	poll := time.NewTicker(orDuration(w.Poll, DefaultPoll))
	defer poll.Stop()
	var applied *policy.Set
	var failures int
	var next time.Time
	for {
		if set := w.Policies.Current(); set != nil && (set != applied || !time.Now().Before(next)) {
			applied = set
			if err := w.Pass(ctx, set); err != nil {
				if ctx.Err() != nil {
					return
				}
				failures++
				next = time.Now().Add(w.backoff(failures))
			} else {
				failures = 0
				next = time.Now().Add(orDuration(w.Resync, DefaultResync))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-poll.C:
		}
	}
}

func (w *HeadroomWriter) backoff(failures int) time.Duration {
	d := orDuration(w.BackoffMin, DefaultBackoffMin)
	limit := orDuration(w.BackoffMax, DefaultBackoffMax)
	for i := 1; i < failures && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// passError is a failed pass with the reason its metric and Event carry.
type passError struct {
	reason string
	err    error
}

func (e *passError) Error() string { return e.reason + ": " + e.err.Error() }
func (e *passError) Unwrap() error { return e.err }

// Pass brings the cluster in line with set once: it applies every object
// the set asks for, then deletes poolpatch's headroom objects it no longer
// asks for. A set over the chunk cap changes nothing.
func (w *HeadroomWriter) Pass(ctx context.Context, set *policy.Set) error {
	err := w.pass(ctx, set)
	if err == nil || ctx.Err() != nil {
		return err
	}
	reason := ReasonWrite
	var pe *passError
	if errors.As(err, &pe) {
		reason = pe.reason
	}
	writerErrors.WithLabelValues(w.Name(), reason).Inc()
	w.Log.Error(err, "headroom not written, retrying with back-off", "reason", reason, "generation", set.Generation)
	if w.OwnerDeployment != "" && w.Events != nil {
		ref := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Name: w.OwnerDeployment, Namespace: w.Headroom.Namespace}}
		if w.Headroom.Owner != nil {
			ref.UID = w.Headroom.Owner.UID
		}
		w.Events.Eventf(ref, corev1.EventTypeWarning, "HeadroomNotWritten", "%s (policy generation %s)", truncate(err.Error(), 900), set.Generation)
	}
	return err
}

func (w *HeadroomWriter) pass(ctx context.Context, set *policy.Set) error {
	if err := w.resolveOwner(ctx); err != nil {
		return &passError{ReasonOwner, err}
	}
	objs, warnings, err := w.Headroom.Objects(set)
	if err != nil {
		return &passError{ReasonOverCap, err}
	}
	want := map[string]bool{}
	var errs []error
	crdAbsent := false
	chunks := 0
	for _, obj := range objs {
		want[objectKey(obj.GroupVersionKind(), obj.GetName())] = true
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err := w.Client.Apply(ctx, client.ApplyConfigurationFromUnstructured(obj), client.FieldOwner(FieldOwner), client.ForceOwnership); err != nil {
			crdAbsent = crdAbsent || meta.IsNoMatchError(err)
			errs = append(errs, fmt.Errorf("apply %s %s/%s: %w", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err))
			continue
		}
		w.Log.V(4).Info("headroom object applied", "kind", obj.GetKind(), "name", obj.GetName())
		if replicas, ok, _ := unstructured.NestedInt64(obj.Object, "spec", "replicas"); ok {
			chunks += int(replicas)
		}
	}
	errs = append(errs, w.prune(ctx, want)...)
	if len(errs) > 0 {
		reason := ReasonWrite
		if crdAbsent {
			reason = ReasonCRDAbsent
		}
		return &passError{reason, errors.Join(errs...)}
	}
	headroomChunks.Set(float64(chunks))
	writerPasses.WithLabelValues(w.Name()).Inc()
	w.Log.V(1).Info("headroom in line with the policy set", "generation", set.Generation,
		"objects", len(objs), "chunks", chunks, "warnings", warnings)
	return nil
}

// prune deletes poolpatch's headroom objects that want does not hold. A kind
// whose API the cluster does not serve holds none.
func (w *HeadroomWriter) prune(ctx context.Context, want map[string]bool) []error {
	var errs []error
	for _, gvk := range []schema.GroupVersionKind{PodTemplateGVK, CapacityBufferGVK, DeploymentGVK} {
		list := &unstructured.UnstructuredList{}
		list.SetGroupVersionKind(gvk.GroupVersion().WithKind(gvk.Kind + "List"))
		err := w.Client.List(ctx, list, client.InNamespace(w.Headroom.Namespace),
			client.MatchingLabels{ManagedByLabel: ManagedByValue, ComponentLabel: HeadroomValue})
		if meta.IsNoMatchError(err) || (apierrors.IsForbidden(err) && !w.Headroom.writes(gvk)) {
			// The API is not served, or it is the other mode's kind, which
			// the writers' RBAC leaves out: nothing of it to prune.
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("list %s: %w", gvk.Kind, err))
			continue
		}
		for i := range list.Items {
			obj := &list.Items[i]
			if want[objectKey(gvk, obj.GetName())] {
				continue
			}
			err := w.Client.Delete(ctx, obj, client.PropagationPolicy(metav1.DeletePropagationBackground))
			if err != nil && !apierrors.IsNotFound(err) {
				errs = append(errs, fmt.Errorf("delete %s %s: %w", gvk.Kind, obj.GetName(), err))
				continue
			}
			w.Log.V(1).Info("headroom object deleted", "kind", gvk.Kind, "name", obj.GetName())
		}
	}
	return errs
}

// resolveOwner reads the owner Deployment's UID once.
func (w *HeadroomWriter) resolveOwner(ctx context.Context) error {
	if w.OwnerDeployment == "" || w.Headroom.Owner != nil {
		return nil
	}
	var d appsv1.Deployment
	key := client.ObjectKey{Namespace: w.Headroom.Namespace, Name: w.OwnerDeployment}
	if err := w.Client.Get(ctx, key, &d); err != nil {
		return fmt.Errorf("owner Deployment %s: %w", key, err)
	}
	w.Headroom.Owner = &metav1.OwnerReference{APIVersion: "apps/v1", Kind: "Deployment",
		Name: d.Name, UID: d.UID, BlockOwnerDeletion: ptr.To(false)}
	return nil
}

func objectKey(gvk schema.GroupVersionKind, name string) string {
	return gvk.Group + "/" + gvk.Kind + "/" + name
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
