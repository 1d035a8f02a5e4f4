package webhook

import (
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/metrics"

	"github.com/poolpatch/poolpatch/policy"
)

// Values of the result label of poolpatch_admissions_total.
const (
	resultPatched   = "patched"   // a pod came back with a patch
	resultUnchanged = "unchanged" // a pod matched nothing, or nothing was missing
	resultExcluded  = "excluded"  // a pod poolpatch never mutates
	resultIgnored   = "ignored"   // not a Pod CREATE: allowed untouched
	resultError     = "error"     // internal error or panic: fail open (or closed)
)

// Values of the result label of poolpatch_policy_reloads_total.
const (
	reloadSuccess  = "success"
	reloadRejected = "rejected"
)

var (
	admissionsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_admissions_total",
		Help: "Admission requests answered by /mutate-pods, by result " +
			"(patched, unchanged, excluded, ignored, error).",
	}, []string{"result"})

	applicationsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_policy_applications_total",
		Help: "Pods a policy matched, by policy and mode (Enforce, Audit).",
	}, []string{"policy", "mode"})

	skippedTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_settings_skipped_total",
		Help: "Settings a policy left to the pod, by policy, setting and reason.",
	}, []string{"policy", "setting", "reason"})

	reloadsTotal = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_policy_reloads_total",
		Help: "Policy set loads, by result (success, rejected).",
	}, []string{"result"})

	generationInfo = prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "poolpatch_policy_generation_info",
		Help: "Always 1, labelled with the generation (content hash) of the policy set serving now.",
	}, []string{"generation"})

	policiesLoaded = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "poolpatch_policies",
		Help: "Number of policies in the set serving now.",
	})
)

func init() {
	metrics.Registry.MustRegister(admissionsTotal, applicationsTotal, skippedTotal,
		reloadsTotal, generationInfo, policiesLoaded)
	for _, r := range []string{resultPatched, resultUnchanged, resultExcluded, resultIgnored, resultError} {
		admissionsTotal.WithLabelValues(r)
	}
	for _, r := range []string{reloadSuccess, reloadRejected} {
		reloadsTotal.WithLabelValues(r)
	}
}

// recordResult counts what the engine did with one pod.
func recordResult(res *policy.Result) {
	for _, name := range res.Enforced {
		applicationsTotal.WithLabelValues(name, string(policy.ModeEnforce)).Inc()
	}
	for _, name := range res.Audited {
		applicationsTotal.WithLabelValues(name, string(policy.ModeAudit)).Inc()
	}
	for _, s := range res.Skips {
		skippedTotal.WithLabelValues(s.Policy, string(s.Setting), string(s.Reason)).Inc()
	}
}

// recordGeneration makes the gauge name only the set serving now.
func recordGeneration(set *policy.Set) {
	generationInfo.Reset()
	generationInfo.WithLabelValues(set.Generation).Set(1)
	policiesLoaded.Set(float64(set.Len()))
}
