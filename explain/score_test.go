package explain

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestNormalizeScores checks the rescaling against the rule the scheduler
// documents for NodeAffinity's NormalizeScore (pkg/scheduler/framework/
// plugins/helper DefaultNormalizeScore): "normalize the scores from
// [0, max(scores)] to [0, maxPriority]" in integer arithmetic,
// maxPriority*score/max, nothing changed when every score is 0, and
// maxPriority-that when reversed (TaintToleration).
func TestNormalizeScores(t *testing.T) {
	tests := []struct {
		name    string
		raw     []int64
		reverse bool
		want    []int64
	}{
		{"pools 100 and 10: the fallback keeps 10", []int64{100, 10, 100, 10}, false, []int64{100, 10, 100, 10}},
		// The README's measured case: a zone weight of 100 lifts fallback01
		// in the job's zone to raw 110 and rescales special01 elsewhere to 90.
		{"zone weight 100 on top of the pools", []int64{100, 110, 10}, false, []int64{90, 100, 9}},
		{"zone weight 50 stays below the gap", []int64{150, 60, 100, 10}, false, []int64{100, 40, 66, 6}},
		{"integer division truncates", []int64{3, 1, 2}, false, []int64{100, 33, 66}},
		{"all zero stays zero", []int64{0, 0}, false, []int64{0, 0}},
		{"one node matches nothing", []int64{0, 7}, false, []int64{0, 100}},
		{"reversed: fewer untolerated taints score higher", []int64{0, 1, 2}, true, []int64{100, 50, 0}},
		{"reversed all zero: all the maximum", []int64{0, 0, 0}, true, []int64{100, 100, 100}},
		{"no feasible node", nil, false, []int64{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, NormalizeScores(tt.raw, tt.reverse)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
