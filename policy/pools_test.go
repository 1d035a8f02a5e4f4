package policy

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

const poolPolicy = `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: spark}
spec:
  pools:
    - {name: special01, weight: 100, tolerations: [{key: preemptive, operator: Equal, value: "true", effect: NoSchedule}]}
    - {name: fallback01, weight: 10}
`

const barePod = `
metadata: {name: p, namespace: analytics}
spec:
  containers: [{name: main, image: app}]
`

func noSchedule(key, value string) corev1.Toleration {
	return corev1.Toleration{Key: key, Operator: corev1.TolerationOpEqual, Value: value, Effect: corev1.TaintEffectNoSchedule}
}

func TestPools(t *testing.T) {
	analytics := Namespace{Name: "analytics"}
	tests := []struct {
		name     string
		policy   string
		pod      string
		wantTols []corev1.Toleration
		wantReq  [][]corev1.NodeSelectorRequirement // per term
		wantPref []corev1.PreferredSchedulingTerm
		warns    int
	}{
		{
			name: "fallback scheme on a bare pod", policy: poolPolicy, pod: barePod,
			wantTols: []corev1.Toleration{noSchedule("dedicated", "special01"), noSchedule("preemptive", "true"), noSchedule("dedicated", "fallback01")},
			wantReq:  [][]corev1.NodeSelectorRequirement{{inExpression("dedicated", "special01", "fallback01")}},
			wantPref: []corev1.PreferredSchedulingTerm{
				preferredTerm(100, inExpression("dedicated", "special01")),
				preferredTerm(10, inExpression("dedicated", "fallback01")),
			},
		},
		{
			name:     "strictPools false adds no required term, taintKey differs from poolKey",
			policy:   poolPolicy + "  strictPools: false\n  poolKey: karpenter.sh/nodepool\n  taintKey: dedicated\n",
			pod:      barePod,
			wantTols: []corev1.Toleration{noSchedule("dedicated", "special01"), noSchedule("preemptive", "true"), noSchedule("dedicated", "fallback01")},
			wantPref: []corev1.PreferredSchedulingTerm{
				preferredTerm(100, inExpression("karpenter.sh/nodepool", "special01")),
				preferredTerm(10, inExpression("karpenter.sh/nodepool", "fallback01")),
			},
		},
		{
			name: "existing toleration covers one pool", policy: poolPolicy,
			pod: `
metadata: {name: p}
spec:
  containers: [{name: main, image: app}]
  tolerations: [{key: dedicated, operator: Exists}, {key: preemptive, operator: Exists, effect: NoSchedule}]
`,
			wantTols: []corev1.Toleration{
				{Key: "dedicated", Operator: corev1.TolerationOpExists},
				{Key: "preemptive", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule},
			},
			wantReq: [][]corev1.NodeSelectorRequirement{{inExpression("dedicated", "special01", "fallback01")}},
			wantPref: []corev1.PreferredSchedulingTerm{
				preferredTerm(100, inExpression("dedicated", "special01")),
				preferredTerm(10, inExpression("dedicated", "fallback01")),
			},
		},
		{
			name: "ORed required terms each get the expression", policy: poolPolicy,
			pod: `
metadata: {name: p}
spec:
  containers: [{name: main, image: app}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
          - matchExpressions: [{key: disk, operator: In, values: [ssd]}]
          - matchExpressions: [{key: gpu, operator: Exists}]
`,
			wantTols: []corev1.Toleration{noSchedule("dedicated", "special01"), noSchedule("preemptive", "true"), noSchedule("dedicated", "fallback01")},
			wantReq: [][]corev1.NodeSelectorRequirement{
				{{Key: "disk", Operator: corev1.NodeSelectorOpIn, Values: []string{"ssd"}}, inExpression("dedicated", "special01", "fallback01")},
				{{Key: "gpu", Operator: corev1.NodeSelectorOpExists}, inExpression("dedicated", "special01", "fallback01")},
			},
			wantPref: []corev1.PreferredSchedulingTerm{
				preferredTerm(100, inExpression("dedicated", "special01")),
				preferredTerm(10, inExpression("dedicated", "fallback01")),
			},
		},
		{
			name: "nodeSelector picks a known pool: its toleration only", policy: poolPolicy,
			pod: `
metadata: {name: p}
spec:
  containers: [{name: main, image: app}]
  nodeSelector: {dedicated: fallback01}
`,
			wantTols: []corev1.Toleration{noSchedule("dedicated", "fallback01")},
		},
		{
			name: "required expression picks an unknown pool: nothing, one warning", policy: poolPolicy,
			pod: `
metadata: {name: p}
spec:
  containers: [{name: main, image: app}]
  affinity:
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms: [{matchExpressions: [{key: dedicated, operator: In, values: [gpu01]}]}]
`,
			wantReq: [][]corev1.NodeSelectorRequirement{{inExpression("dedicated", "gpu01")}},
			warns:   1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyChecked(t, mustPod(t, tt.pod), mustLoad(t, tt.policy), analytics)
			spec := res.Pod.Spec
			if diff := cmp.Diff(tt.wantTols, spec.Tolerations); diff != "" {
				t.Errorf("tolerations (-want +got):\n%s", diff)
			}
			checkNodeAffinity(t, res.Pod, tt.wantReq, tt.wantPref)
			if len(res.Warnings) != tt.warns {
				t.Errorf("warnings = %q, want %d", res.Warnings, tt.warns)
			}
		})
	}
}

func TestCovers(t *testing.T) {
	secs := func(n int64) *int64 { return &n }
	want := noSchedule("dedicated", "special01")
	tests := []struct {
		name string
		have corev1.Toleration
		want corev1.Toleration
		ok   bool
	}{
		{"same toleration", want, want, true},
		{"empty operator means Equal", corev1.Toleration{Key: "dedicated", Value: "special01", Effect: corev1.TaintEffectNoSchedule}, want, true},
		{"Exists on the key", corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpExists}, want, true},
		{"empty key with Exists tolerates all", corev1.Toleration{Operator: corev1.TolerationOpExists}, want, true},
		{"other value", noSchedule("dedicated", "fallback01"), want, false},
		{"other key", noSchedule("pool", "special01"), want, false},
		{"other effect", corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpEqual, Value: "special01", Effect: corev1.TaintEffectNoExecute}, want, false},
		{"tolerationSeconds limits the existing one", corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpExists, TolerationSeconds: secs(30)}, want, false},
		{"Equal does not cover Exists", want, corev1.Toleration{Key: "dedicated", Operator: corev1.TolerationOpExists, Effect: corev1.TaintEffectNoSchedule}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := covers(&tt.have, &tt.want); got != tt.ok {
				t.Errorf("covers(%+v, %+v) = %v, want %v", tt.have, tt.want, got, tt.ok)
			}
		})
	}
}
