package cluster

import (
	"context"
	"fmt"

	admissionv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// PolicyLabel marks the policy ConfigMap the validating webhook checks.
const PolicyLabel = "poolpatch.io/policies"

// ValidatingWebhook is the policy webhook RegisterValidatingWebhook
// registers, with the chart's settings: ConfigMap CREATE and UPDATE in
// namespace only, labelled PolicyLabel=true, failurePolicy Ignore, timeout
// 5 s, calling url (https://127.0.0.1:PORT/validate-policies).
func ValidatingWebhook(url string, caPEM []byte, namespace string) admissionv1.ValidatingWebhook {
	return admissionv1.ValidatingWebhook{
		Name:         PolicyWebhookName,
		ClientConfig: admissionv1.WebhookClientConfig{URL: ptr.To(url), CABundle: caPEM},
		Rules: []admissionv1.RuleWithOperations{{
			Operations: []admissionv1.OperationType{admissionv1.Create, admissionv1.Update},
			Rule: admissionv1.Rule{
				APIGroups: []string{""}, APIVersions: []string{"v1"},
				Resources: []string{"configmaps"}, Scope: ptr.To(admissionv1.NamespacedScope),
			},
		}},
		NamespaceSelector: &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{{
			Key: "kubernetes.io/metadata.name", Operator: metav1.LabelSelectorOpIn, Values: []string{namespace},
		}}},
		ObjectSelector:          &metav1.LabelSelector{MatchLabels: map[string]string{PolicyLabel: "true"}},
		MatchPolicy:             ptr.To(admissionv1.Equivalent),
		SideEffects:             ptr.To(admissionv1.SideEffectClassNone),
		FailurePolicy:           ptr.To(admissionv1.Ignore),
		TimeoutSeconds:          ptr.To[int32](5),
		AdmissionReviewVersions: []string{"v1"},
	}
}

// RegisterValidatingWebhook creates (or replaces) the poolpatch
// ValidatingWebhookConfiguration for the policy ConfigMaps of namespace,
// pointing at url, then waits a moment for the API server to call it.
func (c *Cluster) RegisterValidatingWebhook(ctx context.Context, url string, caPEM []byte, namespace string) error {
	if err := c.UnregisterValidatingWebhook(ctx); err != nil {
		return err
	}
	cfg := &admissionv1.ValidatingWebhookConfiguration{
		ObjectMeta: metav1.ObjectMeta{Name: WebhookConfigName},
		Webhooks:   []admissionv1.ValidatingWebhook{ValidatingWebhook(url, caPEM, namespace)},
	}
	if err := c.cl.Create(ctx, cfg); err != nil {
		return fmt.Errorf("register validating webhook: %w", err)
	}
	return sleepCtx(ctx, webhookSettle)
}

// UnregisterValidatingWebhook deletes the poolpatch
// ValidatingWebhookConfiguration (if any), then waits a moment for the API
// server to stop calling it.
func (c *Cluster) UnregisterValidatingWebhook(ctx context.Context) error {
	cfg := &admissionv1.ValidatingWebhookConfiguration{ObjectMeta: metav1.ObjectMeta{Name: WebhookConfigName}}
	err := c.cl.Delete(ctx, cfg)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("unregister validating webhook: %w", err)
	}
	return sleepCtx(ctx, webhookSettle)
}
