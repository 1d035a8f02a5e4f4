package main

import (
	"context"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// showPods prints the placement table of the demo namespace's pods that
// match selector (all for nil) and keep (all for nil), once at least n exist
// and all are bound.
func (d *demo) showPods(ctx context.Context, selector map[string]string, n int, keep func(corev1.Pod) bool) error {
	pods, err := d.env.WaitPods(ctx, demoNamespace, selector, n)
	if err != nil {
		return err
	}
	var shown []corev1.Pod
	for _, p := range pods {
		if keep == nil || keep(p) {
			shown = append(shown, p)
		}
	}
	placements, err := d.env.Placements(ctx, shown)
	if err != nil {
		return err
	}
	var b strings.Builder
	if err := scenarios.WriteTable(&b, placements); err != nil {
		return err
	}
	d.table(b.String())
	return nil
}

// showMutation prints what poolpatch added to one web pod.
func (d *demo) showMutation(ctx context.Context) error {
	pods, err := d.env.WaitPods(ctx, demoNamespace, webLabels, 1)
	if err != nil {
		return err
	}
	p := pods[0]
	d.say("What poolpatch added to pod %s (the Deployment's template has none of it):", p.Name)
	for _, t := range p.Spec.Tolerations {
		if t.Key == "dedicated" {
			d.say("  toleration    %s=%s:%s", t.Key, t.Value, t.Effect)
		}
	}
	d.showAffinity(&p)
	keys := slices.Sorted(maps.Keys(p.Annotations))
	for _, k := range keys {
		d.say("  annotation    %s: %s", k, p.Annotations[k])
	}
	for _, v := range p.Spec.Volumes {
		if v.EmptyDir != nil && v.EmptyDir.SizeLimit != nil {
			d.say("  emptyDir      %s sizeLimit %s", v.Name, v.EmptyDir.SizeLimit)
		}
	}
	for _, c := range p.Spec.InitContainers {
		d.say("  initContainer %s (%s): pulls that image, exits at once", c.Name, c.Image)
	}
	return nil
}

// showAffinity prints the pod's node affinity expressions.
func (d *demo) showAffinity(p *corev1.Pod) {
	if p.Spec.Affinity == nil || p.Spec.Affinity.NodeAffinity == nil {
		return
	}
	na := p.Spec.Affinity.NodeAffinity
	if req := na.RequiredDuringSchedulingIgnoredDuringExecution; req != nil {
		for _, term := range req.NodeSelectorTerms {
			for _, e := range term.MatchExpressions {
				d.say("  required      %s %s %v", e.Key, e.Operator, e.Values)
			}
		}
	}
	for _, t := range na.PreferredDuringSchedulingIgnoredDuringExecution {
		for _, e := range t.Preference.MatchExpressions {
			d.say("  preferred     %s %s %v, weight %d", e.Key, e.Operator, e.Values, t.Weight)
		}
	}
}
