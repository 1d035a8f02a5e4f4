package explain_test

import (
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// TestPolicyMatches checks policy.Set.Explain, the deciding criterion of
// every policy, and that its verdicts are Apply's.
func TestPolicyMatches(t *testing.T) {
	data, err := os.ReadFile("../testdata/policies/examples.yaml")
	if err != nil {
		t.Fatal(err)
	}
	set, err := policy.Load(policy.Source{Name: "examples.yaml", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		ns     string
		nsLbl  map[string]string
		labels map[string]string
		want   map[string]string // policy -> "matched|not: criterion"
	}{
		{"flink taskmanager in streaming", "streaming", nil, map[string]string{"component": "taskmanager"}, map[string]string{
			"spark-drivers":        "not: podSelector",
			"flink-taskmanagers":   "matched: namespaces,podSelector",
			"airflow-workers":      "not: namespaces",
			"batch-jobs":           "not: namespaceSelector",
			"audit-gpu-candidates": "not: podSelector",
			"defaults":             "matched: match {}",
		}},
		{"taskmanager elsewhere", "default", nil, map[string]string{"component": "taskmanager"}, map[string]string{
			"flink-taskmanagers": "not: namespaces",
		}},
		{"batch namespace, audit candidate", "jobs", map[string]string{"team": "batch"}, map[string]string{"workload-class": "training"}, map[string]string{
			"batch-jobs":           "matched: namespaceSelector",
			"audit-gpu-candidates": "matched: podSelector",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ns := policy.Namespace{Name: tt.ns, Labels: tt.nsLbl}
			matches := set.Explain(tt.labels, ns)
			got := map[string]string{}
			var enforced, audited []string
			for _, m := range matches {
				verdict := "not: "
				if m.Matched {
					verdict = "matched: "
					if m.Mode == policy.ModeAudit {
						audited = append(audited, m.Policy)
					} else {
						enforced = append(enforced, m.Policy)
					}
				}
				if _, ok := tt.want[m.Policy]; ok {
					got[m.Policy] = verdict + m.Criterion
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			pod := &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: "p", Namespace: tt.ns, Labels: tt.labels}}
			res := policy.Apply(pod, set, ns, policy.Options{})
			if diff := cmp.Diff([][]string{res.Enforced, res.Audited}, [][]string{enforced, audited}); diff != "" {
				t.Errorf("Explain disagrees with Apply (-apply +explain):\n%s", diff)
			}
		})
	}
}
