package cluster

import (
	"context"
	"fmt"
	"time"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// Names of the webhook configurations the harness registers, as the chart
// names them for a release called poolpatch.
const (
	// WebhookConfigName is the name of both the Mutating- and the
	// ValidatingWebhookConfiguration.
	WebhookConfigName = "poolpatch"
	// WebhookName is the name of the pod mutating webhook.
	WebhookName = "pods.poolpatch.io"
	// PolicyWebhookName is the name of the policy ConfigMap validating webhook.
	PolicyWebhookName = "policies.poolpatch.io"
)

// webhookSettle is how long RegisterMutatingWebhook waits for the API
// server's webhook informer to pick a new configuration up.
const webhookSettle = time.Second

// skipDaemonSetPods is the chart's matchCondition: DaemonSet pods are never
// sent to poolpatch.
const skipDaemonSetPods = "!has(object.metadata.ownerReferences) || " +
	"!object.metadata.ownerReferences.exists(r, r.kind == 'DaemonSet')"

// WebhookOption changes one setting of the registered webhook.
type WebhookOption func(*admissionv1.MutatingWebhook)

// WithFailurePolicy sets the webhook's failurePolicy (default Fail, so that
// errors surface in tests).
func WithFailurePolicy(p admissionv1.FailurePolicyType) WebhookOption {
	return func(w *admissionv1.MutatingWebhook) { w.FailurePolicy = ptr.To(p) }
}

// WithExcludedNamespaces keeps the listed namespaces out even when labelled,
// as the chart does for the webhook's own namespace.
func WithExcludedNamespaces(names ...string) WebhookOption {
	return func(w *admissionv1.MutatingWebhook) {
		w.NamespaceSelector.MatchExpressions = append(w.NamespaceSelector.MatchExpressions, metav1.LabelSelectorRequirement{
			Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpNotIn, Values: names,
		})
	}
}

// MutatingWebhook is the webhook RegisterMutatingWebhook registers, with the
// chart's rules, selectors, matchConditions, reinvocation policy, side
// effects and timeout, calling url (https://127.0.0.1:PORT/mutate-pods)
// with caPEM as its CA bundle.
func MutatingWebhook(url string, caPEM []byte, opts ...WebhookOption) admissionv1.MutatingWebhook {
	w := admissionv1.MutatingWebhook{
		Name:         WebhookName,
		ClientConfig: admissionv1.WebhookClientConfig{URL: ptr.To(url), CABundle: caPEM},
		Rules: []admissionv1.RuleWithOperations{{
			Operations: []admissionv1.OperationType{admissionv1.Create},
			Rule: admissionv1.Rule{
				APIGroups: []string{""}, APIVersions: []string{"v1"},
				Resources: []string{"pods"}, Scope: ptr.To(admissionv1.NamespacedScope),
			},
		}},
		NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"poolpatch.io/enabled": "true"}},
		ObjectSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: "poolpatch.io/mutate", Operator: metav1.LabelSelectorOpNotIn, Values: []string{"false"},
		}}},
		MatchConditions:         []admissionv1.MatchCondition{{Name: "not-daemonset-pod", Expression: skipDaemonSetPods}},
		ReinvocationPolicy:      ptr.To(admissionv1.IfNeededReinvocationPolicy),
		SideEffects:             ptr.To(admissionv1.SideEffectClassNone),
		TimeoutSeconds:          ptr.To[int32](5),
		FailurePolicy:           ptr.To(admissionv1.Fail),
		MatchPolicy:             ptr.To(admissionv1.Equivalent),
		AdmissionReviewVersions: []string{"v1"},
	}
	for _, o := range opts {
		o(&w)
	}
	return w
}

// RegisterMutatingWebhook creates (or replaces) the poolpatch
// MutatingWebhookConfiguration pointing at url, then waits a moment for the
// API server to start calling it.
func (c *Cluster) RegisterMutatingWebhook(ctx context.Context, url string, caPEM []byte, opts ...WebhookOption) error {
	if err := c.UnregisterMutatingWebhook(ctx); err != nil {
		return err
	}
	cfg := &admissionv1.MutatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: WebhookConfigName},
		Webhooks:   []admissionv1.MutatingWebhook{MutatingWebhook(url, caPEM, opts...)},
	}
	if err := c.cl.Create(ctx, cfg); err != nil {
		return fmt.Errorf("register mutating webhook: %w", err)
	}
	return sleepCtx(ctx, webhookSettle)
}

// UnregisterMutatingWebhook deletes the poolpatch MutatingWebhookConfiguration
// (if any), then waits a moment for the API server to stop calling it.
func (c *Cluster) UnregisterMutatingWebhook(ctx context.Context) error {
	cfg := &admissionv1.MutatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: WebhookConfigName}}
	err := c.cl.Delete(ctx, cfg)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unregister mutating webhook: %w", err)
	}
	return sleepCtx(ctx, webhookSettle)
}

// sleepCtx sleeps for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return fmt.Errorf("wait: %w", ctx.Err())
	case <-time.After(d):
		return nil
	}
}
