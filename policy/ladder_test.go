package policy

import (
	"fmt"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/component-helpers/scheduling/corev1/nodeaffinity"
)

// ladderPod is a pod of job "job-7" (sameZoneBy app).
const ladderPod = "metadata: {name: p, labels: {app: job-7}}\nspec: {containers: [{name: m, image: i}]}\n"

// ladderTerm is a pool AND zone term (zone "" for NotIn others).
func ladderTerm(w int32, pool string, zoneOp corev1.NodeSelectorOperator, zones ...string) corev1.PreferredSchedulingTerm {
	return corev1.PreferredSchedulingTerm{Weight: w, Preference: corev1.NodeSelectorTerm{MatchExpressions: []corev1.NodeSelectorRequirement{
		inExpression(DefaultPoolKey, pool),
		{Key: DefaultZoneKey, Operator: zoneOp, Values: zones},
	}}}
}

func TestLadder(t *testing.T) {
	allowed := []string{"zone-a", "zone-b", "zone-c"}
	job := allowed[sameZoneIndex("job-7", len(allowed))]
	tests := []struct {
		name   string
		policy string
		pod    string
		want   []corev1.PreferredSchedulingTerm
	}{
		{
			name:   "pools 100/10 and zone 50: sums 150, 100, 60, 10 scaled to 100",
			policy: poolPolicy + "  zones:\n    allowed: [zone-a, zone-b, zone-c]\n    sameZoneBy: app\n    sameZoneWeight: 50\n",
			pod:    ladderPod,
			want: []corev1.PreferredSchedulingTerm{
				ladderTerm(100, "special01", corev1.NodeSelectorOpIn, job),
				ladderTerm(67, "special01", corev1.NodeSelectorOpNotIn, job),
				ladderTerm(40, "fallback01", corev1.NodeSelectorOpIn, job),
				ladderTerm(7, "fallback01", corev1.NodeSelectorOpNotIn, job),
			},
		},
		{
			name: "sums within 100 are kept as they are",
			policy: "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: small}\nspec:\n" +
				"  pools: [{name: special01, weight: 50}, {name: fallback01, weight: 10}]\n" +
				"  zones: {allowed: [zone-a, zone-b, zone-c], sameZoneBy: app, sameZoneWeight: 20}\n",
			pod: ladderPod,
			want: []corev1.PreferredSchedulingTerm{
				ladderTerm(70, "special01", corev1.NodeSelectorOpIn, job),
				ladderTerm(50, "special01", corev1.NodeSelectorOpNotIn, job),
				ladderTerm(30, "fallback01", corev1.NodeSelectorOpIn, job),
				ladderTerm(10, "fallback01", corev1.NodeSelectorOpNotIn, job),
			},
		},
		{
			name:   "no zone preference for this pod: one term per pool",
			policy: poolPolicy + "  zones:\n    allowed: [zone-a, zone-b, zone-c]\n    sameZoneBy: app\n    sameZoneWeight: 50\n",
			pod:    barePod,
			want: []corev1.PreferredSchedulingTerm{
				preferredTerm(100, inExpression(DefaultPoolKey, "special01")),
				preferredTerm(10, inExpression(DefaultPoolKey, "fallback01")),
			},
		},
		{
			name: "preferred zones and the job's zone add up",
			policy: poolPolicy + "  zones:\n    allowed: [zone-a, zone-b, zone-c]\n    preferred: [{name: " + job + ", weight: 20}]\n" +
				"    sameZoneBy: app\n    sameZoneWeight: 30\n",
			pod: ladderPod,
			want: []corev1.PreferredSchedulingTerm{
				ladderTerm(100, "special01", corev1.NodeSelectorOpIn, job),
				ladderTerm(67, "special01", corev1.NodeSelectorOpNotIn, job),
				ladderTerm(40, "fallback01", corev1.NodeSelectorOpIn, job),
				ladderTerm(7, "fallback01", corev1.NodeSelectorOpNotIn, job),
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyChecked(t, mustPod(t, tt.pod), mustLoad(t, tt.policy), Namespace{Name: "analytics"})
			var got []corev1.PreferredSchedulingTerm
			if a := res.Pod.Spec.Affinity; a != nil && a.NodeAffinity != nil {
				got = a.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("preferred terms (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLadderOrdersAlike checks the rule the ladder exists for, over pool and
// zone weights: every node matches at most one term, so the scheduler's sum
// ranks nodes as Karpenter's heaviest-first relaxation tries them, and that
// ranking is the one separate pool and zone terms summed to.
func TestLadderOrdersAlike(t *testing.T) {
	zones := []string{"zone-a", "zone-b", "zone-c"}
	for _, pools := range [][2]int32{{100, 10}, {100, 50}, {60, 40}, {2, 1}} {
		for _, zw := range []int32{1, 20, 50, 90, 100} {
			policy := fmt.Sprintf("apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: l}\nspec:\n"+
				"  pools: [{name: special01, weight: %d}, {name: fallback01, weight: %d}]\n"+
				"  zones: {allowed: [zone-a, zone-b, zone-c], sameZoneBy: app, sameZoneWeight: %d}\n", pools[0], pools[1], zw)
			t.Run(fmt.Sprintf("pools %v zone %d", pools, zw), func(t *testing.T) {
				res := Apply(mustPod(t, ladderPod), mustLoad(t, policy), Namespace{Name: "analytics"}, Options{})
				terms := res.Pod.Spec.Affinity.NodeAffinity.PreferredDuringSchedulingIgnoredDuringExecution
				scorer, err := nodeaffinity.NewPreferredSchedulingTerms(terms)
				if err != nil {
					t.Fatal(err)
				}
				job := zones[sameZoneIndex("job-7", len(zones))]
				type class struct {
					node       *corev1.Node
					sum, score int64
				}
				var classes []class
				for i, pool := range []string{"special01", "fallback01"} {
					for _, zone := range zones {
						sum := int64(pools[i])
						if zone == job {
							sum += int64(zw)
						}
						node := &corev1.Node{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{DefaultPoolKey: pool, DefaultZoneKey: zone}}}
						classes = append(classes, class{node, sum, scorer.Score(node)})
					}
				}
				for _, c := range classes {
					if !slices.ContainsFunc(terms, func(t corev1.PreferredSchedulingTerm) bool { return int64(t.Weight) == c.score }) {
						t.Errorf("node %v scores %d, not the weight of one term: terms overlap", c.node.Labels, c.score)
					}
					for _, d := range classes {
						if c.sum > d.sum && c.score < d.score || c.sum == d.sum && c.score != d.score {
							t.Errorf("separate terms rank %v (%d) vs %v (%d); the ladder scores %d vs %d",
								c.node.Labels, c.sum, d.node.Labels, d.sum, c.score, d.score)
						}
					}
				}
			})
		}
	}
}

// TestLadderMutatorIndexes keeps ladder.go's indexes in step with the table.
func TestLadderMutatorIndexes(t *testing.T) {
	if mutators[poolsMutator].setting != SettingPools || mutators[zonesMutator].setting != SettingZones {
		t.Fatalf("mutators[%d] and [%d] are %s and %s, want pools and zones",
			poolsMutator, zonesMutator, mutators[poolsMutator].setting, mutators[zonesMutator].setting)
	}
}
