package policy

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// validateDocuments checks every rule a policy must meet so that it can never
// produce a pod the API server rejects; it reports every mistake it finds.
func validateDocuments(docs []document, errs *ErrorList) {
	names := map[string]Position{}
	for _, d := range docs {
		name := d.policy.Metadata.Name
		if first, dup := names[name]; dup && name != "" {
			d.errorf(errs, "metadata.name", "duplicate policy name (first defined at %s)", first)
		} else {
			names[name] = d.at("metadata.name")
		}
		validatePolicy(d, errs)
	}
	validateAnnotationSize(docs, errs)
}

func validatePolicy(d document, errs *ErrorList) {
	p := d.policy
	if p.Metadata.Name == "" {
		d.errorf(errs, "metadata.name", "required")
	} else {
		checkValue(d, errs, "metadata.name", p.Metadata.Name, validation.IsDNS1123Label(p.Metadata.Name))
	}
	s := p.Spec
	switch s.Mode {
	case "", ModeEnforce, ModeAudit:
	default:
		d.errorf(errs, "spec.mode", "unknown mode %s (want Enforce or Audit)", quote(string(s.Mode)))
	}
	switch s.Eviction {
	case EvictionNone, EvictionSafe, EvictionNever, EvictionLocalVolumes:
	default:
		d.errorf(errs, "spec.eviction", "unknown eviction %s (want safe, never or local-volumes)", quote(string(s.Eviction)))
	}
	validateMatch(d, errs)
	optionalQualifiedName(d, errs, "spec.poolKey", s.PoolKey)
	optionalQualifiedName(d, errs, "spec.taintKey", s.TaintKey)
	validatePools(d, errs)
	validateZones(d, errs)
	validateTolerations(d, errs, "spec.tolerations", s.Tolerations)
	if s.SchedulerName != "" {
		checkValue(d, errs, "spec.schedulerName", s.SchedulerName, validation.IsDNS1123Subdomain(s.SchedulerName))
	}
	validateEmptyDir(d, errs)
	validateAnnotations(d, errs)
	validatePrepull(d, errs)
	validateHeadroom(d, errs)
	validateRebalance(d, errs)
}

func validateMatch(d document, errs *ErrorList) {
	m := d.policy.Spec.Match
	for i, ns := range m.Namespaces {
		checkValue(d, errs, fmt.Sprintf("spec.match.namespaces[%d]", i), ns, validation.IsDNS1123Label(ns))
	}
	validateSelector(d, errs, "spec.match.namespaceSelector", m.NamespaceSelector)
	validateSelector(d, errs, "spec.match.podSelector", m.PodSelector)
}

// validateSelector checks each label and expression on its own, so that the
// error points at the one that is wrong.
func validateSelector(d document, errs *ErrorList, path string, sel *metav1.LabelSelector) {
	if sel == nil {
		return
	}
	for key, value := range sel.MatchLabels {
		one := &metav1.LabelSelector{MatchLabels: map[string]string{key: value}}
		if _, err := metav1.LabelSelectorAsSelector(one); err != nil {
			d.errorf(errs, path+".matchLabels."+key, "%s", err.Error())
		}
	}
	for i, expr := range sel.MatchExpressions {
		one := &metav1.LabelSelector{MatchExpressions: []metav1.LabelSelectorRequirement{expr}}
		if _, err := metav1.LabelSelectorAsSelector(one); err != nil {
			at := fmt.Sprintf("%s.matchExpressions[%d]", path, i)
			if !validSelectorOperator(expr.Operator) {
				at += ".operator"
			}
			d.errorf(errs, at, "%s", err.Error())
		}
	}
}

func validSelectorOperator(op metav1.LabelSelectorOperator) bool {
	switch op {
	case metav1.LabelSelectorOpIn, metav1.LabelSelectorOpNotIn, metav1.LabelSelectorOpExists, metav1.LabelSelectorOpDoesNotExist:
		return true
	}
	return false
}

func validatePools(d document, errs *ErrorList) {
	seen := map[string]bool{}
	for i, pool := range d.policy.Spec.Pools {
		path := fmt.Sprintf("spec.pools[%d]", i)
		switch {
		case pool.Name == "":
			d.errorf(errs, path+".name", "required")
		case seen[pool.Name]:
			d.errorf(errs, path+".name", "duplicate pool %s", quote(pool.Name))
		default:
			checkValue(d, errs, path+".name", pool.Name, validation.IsValidLabelValue(pool.Name))
		}
		seen[pool.Name] = true
		checkWeight(d, errs, path+".weight", pool.Weight)
		validateTolerations(d, errs, path+".tolerations", pool.Tolerations)
	}
	if d.policy.Spec.StrictPools != nil && len(d.policy.Spec.Pools) == 0 && !d.failed["spec.pools"] {
		d.errorf(errs, "spec.strictPools", "set without pools")
	}
}

func validateZones(d document, errs *ErrorList) {
	z := d.policy.Spec.Zones
	if z == nil {
		return
	}
	optionalQualifiedName(d, errs, "spec.zones.key", z.Key)
	for i, zone := range z.Allowed {
		checkZoneName(d, errs, fmt.Sprintf("spec.zones.allowed[%d]", i), zone)
	}
	for i, pref := range z.Preferred {
		path := fmt.Sprintf("spec.zones.preferred[%d]", i)
		checkZoneName(d, errs, path+".name", pref.Name)
		checkWeight(d, errs, path+".weight", pref.Weight)
	}
	optionalQualifiedName(d, errs, "spec.zones.sameZoneBy", z.SameZoneBy)
	if z.SameZoneWeight != 0 {
		checkWeight(d, errs, "spec.zones.sameZoneWeight", z.SameZoneWeight)
		if z.SameZoneBy == "" {
			d.errorf(errs, "spec.zones.sameZoneWeight", "set without sameZoneBy")
		}
	}
}

func checkZoneName(d document, errs *ErrorList, path, zone string) {
	if zone == "" {
		d.errorf(errs, path, "empty zone name")
		return
	}
	checkValue(d, errs, path, zone, validation.IsValidLabelValue(zone))
}

func validateEmptyDir(d document, errs *ErrorList) {
	e := d.policy.Spec.EmptyDir
	if e == nil {
		return
	}
	if e.SizeLimit != nil && e.SizeLimit.Sign() <= 0 {
		d.errorf(errs, "spec.emptyDir.sizeLimit", "must be greater than zero")
	}
	if e.MemorySizeLimit != nil && e.MemorySizeLimit.Sign() <= 0 {
		d.errorf(errs, "spec.emptyDir.memorySizeLimit", "must be greater than zero")
	}
}

func validatePrepull(d document, errs *ErrorList) {
	p := d.policy.Spec.Prepull
	if p == nil {
		return
	}
	for i, image := range p.Images {
		if image == "" || strings.ContainsAny(image, " \t\n") || strings.TrimSpace(image) != image {
			d.errorf(errs, fmt.Sprintf("spec.prepull.images[%d]", i), "invalid image reference %s", quote(image))
		}
	}
}

// validateTolerations applies the API server's toleration rules, so that a
// policy cannot make a pod that the API server rejects.
func validateTolerations(d document, errs *ErrorList, path string, tolerations []corev1.Toleration) {
	for i, t := range tolerations {
		at := fmt.Sprintf("%s[%d]", path, i)
		if t.Key != "" {
			checkValue(d, errs, at+".key", t.Key, validation.IsQualifiedName(t.Key))
		}
		switch t.Operator {
		case corev1.TolerationOpEqual, "":
			if t.Key == "" {
				d.errorf(errs, at+".operator", "operator must be Exists when key is empty")
			}
			checkValue(d, errs, at+".value", t.Value, validation.IsValidLabelValue(t.Value))
		case corev1.TolerationOpExists:
			if t.Value != "" {
				d.errorf(errs, at+".value", "must be empty when operator is Exists")
			}
		default:
			d.errorf(errs, at+".operator", "unknown operator %s (want Equal or Exists)", quote(string(t.Operator)))
		}
		switch t.Effect {
		case "", corev1.TaintEffectNoSchedule, corev1.TaintEffectPreferNoSchedule, corev1.TaintEffectNoExecute:
		default:
			d.errorf(errs, at+".effect", "unknown effect %s", quote(string(t.Effect)))
		}
		if t.TolerationSeconds != nil && t.Effect != corev1.TaintEffectNoExecute {
			d.errorf(errs, at+".tolerationSeconds", "only valid with effect NoExecute")
		}
	}
}

// tolerationProblem is validateTolerations for a toleration without
// positions (one inside an annotation's JSON): its first problem, or "".
func tolerationProblem(t corev1.Toleration) string {
	var errs ErrorList
	validateTolerations(document{failed: map[string]bool{}, positions: map[string]Position{}}, &errs, "toleration", []corev1.Toleration{t})
	if len(errs) == 0 {
		return ""
	}
	_, msg, _ := strings.Cut(errs[0].Message, "toleration[0].")
	return msg
}

func checkWeight(d document, errs *ErrorList, path string, weight int32) {
	if weight < 1 || weight > 100 {
		d.errorf(errs, path, "weight %d outside 1-100", weight)
	}
}

func optionalQualifiedName(d document, errs *ErrorList, path, value string) {
	if value != "" {
		checkValue(d, errs, path, value, validation.IsQualifiedName(value))
	}
}

func checkValue(d document, errs *ErrorList, path, value string, msgs []string) {
	for _, msg := range msgs {
		d.errorf(errs, path, "invalid value %s: %s", quote(value), msg)
	}
}
