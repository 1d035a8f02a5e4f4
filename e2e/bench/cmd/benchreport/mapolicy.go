package main

import (
	"fmt"
	"strings"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// mapName names the MutatingAdmissionPolicy and its binding.
const mapName = "bench-spark-executors"

// Types of the typed CEL object constructions the JSON patch needs.
const (
	celAffinity  = "Object.spec.affinity"
	celNode      = celAffinity + ".nodeAffinity"
	celRequired  = celNode + ".requiredDuringSchedulingIgnoredDuringExecution"
	celTerm      = celRequired + ".nodeSelectorTerms"
	celPreferred = celNode + ".preferredDuringSchedulingIgnoredDuringExecution"
	celPref      = celPreferred + ".preference"
	celTol       = "Object.spec.tolerations"
)

// mapAnnotations are the annotations poolpatch adds to the bench pod (the
// example policies spark-executors and defaults).
var mapAnnotations = [][2]string{
	{"cluster-autoscaler.kubernetes.io/safe-to-evict-local-volumes", "spark-local-dir-1,spark-local-dir-2"},
	{"platform.example.com/scheduling-docs", "https://wiki.example/platform/pools"},
	{"platform.example.com/workload", "spark-executor"},
	{"poolpatch.io/policies", "spark-executors,defaults"},
}

// mapTolerations are the tolerations poolpatch adds to the bench pod.
var mapTolerations = []string{
	celTol + `{key: "dedicated", operator: "Equal", value: "spot01", effect: "NoSchedule"}`,
	celTol + `{key: "preemptive", operator: "Equal", value: "true", effect: "NoSchedule"}`,
	celTol + `{key: "dedicated", operator: "Equal", value: "fallback01", effect: "NoSchedule"}`,
	celTol + `{key: "platform.example.com/upgrade", operator: "Exists", effect: "PreferNoSchedule"}`,
}

// mutatingAdmissionPolicy is the in-tree alternative to poolpatch for the
// bench pod: a MutatingAdmissionPolicy (admissionregistration.k8s.io/v1)
// whose JSON patch adds the tolerations, the required and preferred node
// affinity terms (pools and zones; the same-zone term as poolpatch computes
// it for this job) and the annotations poolpatch adds to a Spark executor.
// It does less than poolpatch: no emptyDir size limits, no merge with what
// the pod already sets (it skips pods with an affinity), no hashing.
func mutatingAdmissionPolicy() (*admissionregistrationv1.MutatingAdmissionPolicy, *admissionregistrationv1.MutatingAdmissionPolicyBinding) {
	policy := &admissionregistrationv1.MutatingAdmissionPolicy{
		ObjectMeta: metav1.ObjectMeta{Name: mapName},
		Spec: admissionregistrationv1.MutatingAdmissionPolicySpec{
			MatchConstraints: &admissionregistrationv1.MatchResources{
				ResourceRules: []admissionregistrationv1.NamedRuleWithOperations{{
					RuleWithOperations: admissionregistrationv1.RuleWithOperations{
						Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create},
						Rule: admissionregistrationv1.Rule{APIGroups: []string{""}, APIVersions: []string{"v1"},
							Resources: []string{"pods"}},
					},
				}},
			},
			MatchConditions: []admissionregistrationv1.MatchCondition{
				{Name: "spark-executor", Expression: `has(object.metadata.labels) && object.metadata.labels[?"spark-role"].orValue("") == "executor"`},
				{Name: "no-affinity", Expression: `!has(object.spec.affinity)`},
			},
			Mutations: []admissionregistrationv1.Mutation{{
				PatchType: admissionregistrationv1.PatchTypeJSONPatch,
				JSONPatch: &admissionregistrationv1.JSONPatch{Expression: mapExpression()},
			}},
			FailurePolicy:      ptr.To(admissionregistrationv1.Fail),
			ReinvocationPolicy: admissionregistrationv1.IfNeededReinvocationPolicy,
		},
	}
	binding := &admissionregistrationv1.MutatingAdmissionPolicyBinding{
		ObjectMeta: metav1.ObjectMeta{Name: mapName},
		Spec: admissionregistrationv1.MutatingAdmissionPolicyBindingSpec{
			PolicyName: mapName,
			MatchResources: &admissionregistrationv1.MatchResources{
				NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"poolpatch.io/enabled": "true"}},
			},
		},
	}
	return policy, binding
}

// mapExpression is the CEL expression of the JSON patch.
func mapExpression() string {
	var perKey, whole []string
	for _, kv := range mapAnnotations {
		perKey = append(perKey, fmt.Sprintf(`JSONPatch{op: "add", path: "/metadata/annotations/" + jsonpatch.escapeKey(%q), value: %q}`, kv[0], kv[1]))
		whole = append(whole, fmt.Sprintf("%q: %q", kv[0], kv[1]))
	}
	var perTol []string
	for _, t := range mapTolerations {
		perTol = append(perTol, fmt.Sprintf(`JSONPatch{op: "add", path: "/spec/tolerations/-", value: %s}`, t))
	}
	annotations := fmt.Sprintf(`(has(object.metadata.annotations) ? [%s] : [JSONPatch{op: "add", path: "/metadata/annotations", value: {%s}}])`,
		strings.Join(perKey, ", "), strings.Join(whole, ", "))
	tolerations := fmt.Sprintf(`(has(object.spec.tolerations) ? [%s] : [JSONPatch{op: "add", path: "/spec/tolerations", value: [%s]}])`,
		strings.Join(perTol, ", "), strings.Join(mapTolerations, ", "))
	affinity := fmt.Sprintf(`[JSONPatch{op: "add", path: "/spec/affinity", value: %s{nodeAffinity: %s{
  requiredDuringSchedulingIgnoredDuringExecution: %s{nodeSelectorTerms: [%s{matchExpressions: [%s, %s]}]},
  preferredDuringSchedulingIgnoredDuringExecution: [%s, %s, %s]}}}]`,
		celAffinity, celNode, celRequired, celTerm,
		expr(celTerm, "dedicated", "spot01", "fallback01"),
		expr(celTerm, "topology.kubernetes.io/zone", "zone-a", "zone-b"),
		preferred(100, "dedicated", "spot01"), preferred(10, "dedicated", "fallback01"),
		preferred(50, "topology.kubernetes.io/zone", "zone-a"))
	return annotations + " + " + affinity + " + " + tolerations
}

// expr is a typed `key In values` node selector requirement under parent.
func expr(parent, key string, values ...string) string {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = fmt.Sprintf("%q", v)
	}
	return fmt.Sprintf(`%s.matchExpressions{key: %q, operator: "In", values: [%s]}`, parent, key, strings.Join(quoted, ", "))
}

// preferred is a typed weighted preferred term `key In [value]`.
func preferred(weight int, key, value string) string {
	return fmt.Sprintf(`%s{weight: %d, preference: %s{matchExpressions: [%s]}}`, celPreferred, weight, celPref, expr(celPref, key, value))
}
