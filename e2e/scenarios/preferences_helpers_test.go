package scenarios_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// at is the key of r.placements for pool and zone.
func at(pool, zone string) string { return pool + "/" + zone }

// otherZone is the harness zone that is not zone.
func otherZone(zone string) string {
	for _, z := range zones {
		if z != zone {
			return z
		}
	}
	return ""
}

// countCheck checks the pods per pool/zone: "" when met, else what was
// wanted.
type countCheck func(got map[string]int) string

// exactly wants exactly these pods per pool/zone.
func exactly(want map[string]int) countCheck {
	return func(got map[string]int) string {
		if maps.Equal(got, want) {
			return ""
		}
		return fmt.Sprintf("%v", want)
	}
}

// inEachZone wants every pod in pool and at least one in each zone.
func inEachZone(pool string, zones ...string) countCheck {
	return func(got map[string]int) string {
		inPool := 0
		for _, z := range zones {
			if got[at(pool, z)] == 0 {
				return fmt.Sprintf("pods on %s in each of %v", pool, zones)
			}
			inPool += got[at(pool, z)]
		}
		if total := sumValues(got); inPool != total {
			return fmt.Sprintf("all %d pods on %s in %v", total, pool, zones)
		}
		return ""
	}
}

// sumValues adds up the values of m.
func sumValues(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// checkCounts records each pod's placement in r and one failure unless the
// pods per pool/zone pass want.
func checkCounts(ctx context.Context, r *result, pods []corev1.Pod, want countCheck) error {
	placements, err := env.Placements(ctx, pods)
	if err != nil {
		return err
	}
	for _, p := range placements {
		r.placed(p.Pool, p.Zone)
	}
	if wanted := want(r.placements); wanted != "" {
		r.errorf("pods per pool/zone %v, want %s", r.placements, wanted)
	}
	return nil
}

// validateWarnings loads preferences.yaml as `poolpatch validate` does and
// returns its warnings, and a failure unless exactly zone-outranks-pool
// (zone weight 100, pool gap 90) gets a zone weight warning and
// pool-outranks-zone (50) none.
func validateWarnings(prefs string) (warnings, failures []string, err error) {
	set, err := policy.Load(policy.Source{Name: "preferences.yaml", Data: []byte(prefs)})
	if err != nil {
		return nil, nil, fmt.Errorf("load preferences.yaml: %w", err)
	}
	for _, tc := range []struct {
		policy string
		warn   bool
	}{{"zone-outranks-pool", true}, {"pool-outranks-zone", false}} {
		warned := slices.ContainsFunc(set.Warnings, func(w string) bool {
			return strings.HasPrefix(w, "policy "+tc.policy+":")
		})
		if warned != tc.warn {
			failures = append(failures, fmt.Sprintf("policy %s: warned %v, want %v", tc.policy, warned, tc.warn))
		}
	}
	if len(set.Warnings) != 1 {
		failures = append(failures, fmt.Sprintf("%d warnings, want 1", len(set.Warnings)))
	}
	return set.Warnings, failures, nil
}
