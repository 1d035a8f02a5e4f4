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
	mutates bool                            // whether a created pod must carry poolpatch's mutation
	webhook bool                            // whether the API server must call the webhook for every pod
	split   bool                            // control plane and webhook servers on separate CPUs
	server  *server                         // the webhook server, if any
	check   func(ctx context.Context) error // once, in the first round, when in effect
	enable  func(ctx context.Context) error
	disable func(ctx context.Context) error
}

// webhooks are the webhook servers of one CPU configuration.
type webhooks struct{ noop, fixed, pp *server }

// startWebhooks starts the no-op, the fixed-patch (answering with the patch
// in patchFile) and the poolpatch server (the example policies, watching the
// cluster's namespaces as deployed), on the webhook's CPU of split if not
// nil. On error, what was started is stopped again.
func (b *apiBench) startWebhooks(ctx context.Context, prefix, patchFile string, split *cpuSplit) (w *webhooks, err error) {
	w = &webhooks{}
	defer func() {
		if err != nil {
			err = errors.Join(err, w.stop())
		}
	}()
	if w.noop, err = startNoop(ctx, b.e, prefix+"-noop", split); err != nil {
		return nil, err
	}
	if w.fixed, err = startNoop(ctx, b.e, prefix+"-fixed", split, "--patch-file", patchFile, "--last-review"); err != nil {
		return nil, err
	}
	if w.pp, err = startPoolpatch(ctx, b.e, prefix+"-poolpatch", b.e.examples, b.c.KubeconfigPath(), split); err != nil {
		return nil, err
	}
	return w, nil
}

// stop stops the servers started.
func (w *webhooks) stop() error {
	var errs []error
	for _, s := range []*server{w.noop, w.fixed, w.pp} {
		if s != nil {
			errs = append(errs, s.stop())
		}
	}
	return errors.Join(errs...)
}

// configs returns the five configurations served by w: nothing, the no-op
// webhook, the fixed-patch webhook, poolpatch, and the
// MutatingAdmissionPolicy; with split, named with the suffix _split and run
// with the control plane and the webhooks on separate CPUs.
func (b *apiBench) configs(w *webhooks, patch []byte, split bool) []apiConfig {
	webhook := func(s *server) func(context.Context) error {
		return func(ctx context.Context) error { return b.c.RegisterMutatingWebhook(ctx, s.url, b.e.caPEM) }
	}
	unregister := func(ctx context.Context) error { return b.c.UnregisterMutatingWebhook(ctx) }
	nothing := func(context.Context) error { return nil }
	cfgs := []apiConfig{
		{name: "none", enable: nothing, disable: nothing},
		{name: "noop", webhook: true, server: w.noop, enable: webhook(w.noop), disable: unregister},
		{name: "fixed", mutates: true, webhook: true, server: w.fixed, check: b.checkFixedPatch(w.fixed, w.pp, patch),
			enable: webhook(w.fixed), disable: unregister},
		{name: "poolpatch", mutates: true, webhook: true, server: w.pp, enable: webhook(w.pp), disable: unregister},
		{name: "map", mutates: true, enable: b.enableMAP, disable: b.disableMAP},
	}
	if split {
		for i := range cfgs {
			cfgs[i].name += "_split"
			cfgs[i].split = true
		}
	}
	return cfgs
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
	// The preferred terms are the pool x zone ladder (spot01 and fallback01,
	// each in and out of the job's zone): their number is the engine's
	// business, a term preferring spot01 is what a mutated pod must have.
	preferred, preferSpot := 0, false
	if a := pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
		preferred = len(a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution)
		for _, term := range a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution {
			preferSpot = preferSpot || slices.ContainsFunc(term.Preference.MatchExpressions, func(ex corev1.NodeSelectorRequirement) bool {
				return ex.Key == "dedicated" && slices.Equal(ex.Values, []string{"spot01"})
			})
		}
	}
	if cfg.mutates && !(annotated && tolerated && required && preferSpot) {
		return fmt.Errorf("pod %s not mutated: annotation %v, toleration %v, required term %v, %d preferred terms",
			pod.Name, annotated, tolerated, required, preferred)
	}
	if !cfg.mutates && (annotated || tolerated || required || preferred > 0) {
		return fmt.Errorf("pod %s mutated without an admission extension", pod.Name)
	}
	return nil
}
