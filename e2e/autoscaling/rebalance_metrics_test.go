package autoscaling_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// rebalanceCounts reads the rebalancer's counters of policy from the
// registry of the webhook server this process runs: evictions, back-offs,
// and skips by reason.
type rebalanceCounts struct {
	evictions, backoffs float64
	skips               map[string]float64
}

func readRebalanceCounts(policyName string) (rebalanceCounts, error) {
	c := rebalanceCounts{skips: map[string]float64{}}
	families, err := ctrlmetrics.Registry.Gather()
	if err != nil {
		return c, fmt.Errorf("gather metrics: %w", err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["policy"] != policyName {
				continue
			}
			v := m.GetCounter().GetValue()
			switch f.GetName() {
			case "poolpatch_rebalance_evictions_total":
				c.evictions += v
			case "poolpatch_rebalance_backoffs_total":
				c.backoffs += v
			case "poolpatch_rebalance_skips_total":
				c.skips[labels["reason"]] += v
			}
		}
	}
	return c, nil
}

// since is c minus an earlier reading.
func (c rebalanceCounts) since(before rebalanceCounts) rebalanceCounts {
	d := rebalanceCounts{evictions: c.evictions - before.evictions, backoffs: c.backoffs - before.backoffs, skips: map[string]float64{}}
	for reason, v := range c.skips {
		if v -= before.skips[reason]; v > 0 {
			d.skips[reason] = v
		}
	}
	return d
}

func (c rebalanceCounts) String() string {
	var skips []string
	for _, reason := range slices.Sorted(maps.Keys(c.skips)) {
		skips = append(skips, fmt.Sprintf("%s=%.0f", reason, c.skips[reason]))
	}
	return fmt.Sprintf("evictions %.0f, back-offs %.0f, skips (pod-passes) %s", c.evictions, c.backoffs, strings.Join(skips, " "))
}
