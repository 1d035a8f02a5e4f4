package main

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// apiConfig is one admission configuration of the API server.
type apiConfig struct {
	name    string
	mutates bool    // whether a created pod must carry poolpatch's mutation
	webhook bool    // whether the API server must call the webhook for every pod
	server  *server // the webhook server, if any
	enable  func(ctx context.Context) error
	disable func(ctx context.Context) error
}

// configs returns the four configurations: nothing, the no-op webhook,
// poolpatch, and the MutatingAdmissionPolicy.
func (b *apiBench) configs(noop, pp *server) []apiConfig {
	webhook := func(s *server) func(context.Context) error {
		return func(ctx context.Context) error { return b.c.RegisterMutatingWebhook(ctx, s.url, b.e.caPEM) }
	}
	unregister := func(ctx context.Context) error { return b.c.UnregisterMutatingWebhook(ctx) }
	nothing := func(context.Context) error { return nil }
	return []apiConfig{
		{name: "none", enable: nothing, disable: nothing},
		{name: "noop", webhook: true, server: noop, enable: webhook(noop), disable: unregister},
		{name: "poolpatch", mutates: true, webhook: true, server: pp, enable: webhook(pp), disable: unregister},
		{name: "map", mutates: true, enable: b.enableMAP, disable: b.disableMAP},
	}
}

// enableMAP creates the MutatingAdmissionPolicy and its binding.
func (b *apiBench) enableMAP(ctx context.Context) error {
	policy, binding := mutatingAdmissionPolicy()
	api := b.cs.AdmissionregistrationV1()
	if _, err := api.MutatingAdmissionPolicies().Create(ctx, policy, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create MutatingAdmissionPolicy: %w", err)
	}
	if _, err := api.MutatingAdmissionPolicyBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("create MutatingAdmissionPolicyBinding: %w", err)
	}
	return nil
}

// disableMAP deletes the binding and the policy.
func (b *apiBench) disableMAP(ctx context.Context) error {
	api := b.cs.AdmissionregistrationV1()
	err := api.MutatingAdmissionPolicyBindings().Delete(ctx, mapName, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete MutatingAdmissionPolicyBinding: %w", err)
	}
	err = api.MutatingAdmissionPolicies().Delete(ctx, mapName, metav1.DeleteOptions{})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("delete MutatingAdmissionPolicy: %w", err)
	}
	return nil
}

// settle creates probe pods until the API server applies (or no longer
// applies) the mutation, as cfg wants: its admission informers lag behind a
// configuration change.
func (b *apiBench) settle(ctx context.Context, cfg apiConfig) error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		pod, err := b.create(ctx)
		if err == nil && mutated(pod) == cfg.mutates {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("configuration %s not in effect after 30s: %w", cfg.name, errors.Join(err, verify(pod, cfg)))
		}
		if err := sleepCtx(ctx, 200*time.Millisecond); err != nil {
			return err
		}
	}
}

// mutated reports whether pod carries the mutation of the bench policies:
// the policies annotation, the spot01 toleration and the required pool term.
func mutated(pod *corev1.Pod) bool {
	return verify(pod, apiConfig{mutates: true}) == nil
}

// verify checks a stored pod against cfg: mutated exactly when it should be.
func verify(pod *corev1.Pod, cfg apiConfig) error {
	if pod == nil {
		return errors.New("no pod")
	}
	annotated := pod.Annotations["poolpatch.io/policies"] == "spark-executors,defaults"
	tolerated := slices.ContainsFunc(pod.Spec.Tolerations, func(t corev1.Toleration) bool {
		return t.Key == "dedicated" && t.Value == "spot01" && t.Effect == corev1.TaintEffectNoSchedule
	})
	required := false
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil && a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution != nil {
		for _, term := range a.NodeAffinity.RequiredDuringSchedulingIgnoredDuringExecution.NodeSelectorTerms {
			for _, ex := range term.MatchExpressions {
				required = required || (ex.Key == "dedicated" && slices.Equal(ex.Values, []string{"spot01", "fallback01"}))
			}
		}
	}
	preferred := 0
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		preferred = len(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
	}
	if cfg.mutates && !(annotated && tolerated && required && preferred == 3) {
		return fmt.Errorf("pod %s not mutated: annotation %v, toleration %v, required term %v, %d preferred terms",
			pod.Name, annotated, tolerated, required, preferred)
	}
	if !cfg.mutates && (annotated || tolerated || required || preferred > 0) {
		return fmt.Errorf("pod %s mutated without an admission extension", pod.Name)
	}
	return nil
}
