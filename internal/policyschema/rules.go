package policyschema

import (
	"reflect"
	"regexp"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// Patterns of the Kubernetes name syntaxes that validation applies, in the
// subset of regular expressions that Go and ECMA-262 (editors) share. The
// 253-character limit of a qualified name's prefix is only approximated by
// the total length.
const (
	dns1123Label     = `^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$`
	dns1123Subdomain = `^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`
	qualifiedName    = `^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`
	// Annotation keys are checked lower-cased: the prefix may use capitals.
	annotationKey = `^([A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$`
	labelValue    = `^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$`
	// A quantity greater than zero: no sign but +, a non-zero digit, a
	// binary or decimal SI suffix or an exponent.
	positiveQuantity = `^\+?([0-9]*[1-9][0-9]*(\.[0-9]*)?|[0-9]*\.[0-9]*[1-9][0-9]*)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$`
	quantityPattern  = `^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][-+]?[0-9]+)?$`
	durationPattern  = `^[-+]?(0|([0-9]+(\.[0-9]*)?|\.[0-9]+)(ns|us|µs|ms|s|m|h))+$`
	// An image reference as validation accepts it: not empty, no blanks.
	imageReference = `^[^ \t\n]+$`
	maxQualified   = 253 + 1 + 63
	// A 32-bit integer as the API server takes pod-deletion-cost: no plus
	// sign, no leading zero unless negative.
	deletionCost = `^(0|[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7]` +
		`|-0*([0-9]{1,9}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-8]))$`
)

// refusedAnnotations are keys a policy may never add (policy/annotations.go):
// poolpatch's own, the kubelet's static-pod markers, and the pod seccomp
// profile, which must agree with each pod's securityContext. The container
// seccomp and AppArmor prefixes are refused by pattern.
var refusedAnnotations = []string{
	policy.PoliciesAnnotation,
	corev1.MirrorPodAnnotationKey,
	"kubernetes.io/config.source",
	"kubernetes.io/config.hash",
	"kubernetes.io/config.seen",
	corev1.SeccompPodAnnotationKey,
}

// requiredFields: what validation reports as "required" when absent. A
// pool and a zone preference need a weight: validation refuses 0.
var requiredFields = map[string][]string{
	"PoolPolicy":               {"apiVersion", "kind", "metadata"},
	"Metadata":                 {"name"},
	"Pool":                     {"name", "weight"},
	"PreferredZone":            {"name", "weight"},
	"LabelSelectorRequirement": {"key", "operator"},
	"Rebalance":                {"after", "maxPerMinute"},
}

// typeRules replace the schema of a type that is not decoded by its shape.
var typeRules = map[reflect.Type]func() Schema{
	reflect.TypeFor[resource.Quantity](): func() Schema {
		return Schema{"type": []string{"string", "number"}, "pattern": quantityPattern}
	},
	reflect.TypeFor[metav1.Duration](): func() Schema {
		return Schema{"type": "string", "pattern": durationPattern}
	},
}

func pattern(p string) func(Schema) {
	return func(s Schema) { s["pattern"] = p }
}

func optional(p string) func(Schema) {
	return func(s Schema) { s["pattern"] = "(" + p + ")|^$"; s["maxLength"] = maxQualified }
}

func weight(s Schema) { s["minimum"], s["maximum"] = 1, 100 }

func items(rule func(Schema)) func(Schema) {
	return func(s Schema) { rule(s["items"].(Schema)) }
}

func enum(values ...any) func(Schema) {
	return func(s Schema) { s["enum"] = values }
}

// positive: a quantity greater than zero, as a string or a number.
func positive(s Schema) {
	s["pattern"] = positiveQuantity
	s["exclusiveMinimum"] = 0
}

// fieldRules add what validation checks of a field, by TYPE.field.
var fieldRules = map[string]func(Schema){
	"PoolPolicy.apiVersion": func(s Schema) { s["const"] = policy.APIVersion },
	"PoolPolicy.kind":       func(s Schema) { s["const"] = policy.Kind },
	"Metadata.name": func(s Schema) {
		s["pattern"], s["maxLength"] = dns1123Label, 63
	},
	"Spec.mode":     enum(string(policy.ModeEnforce), string(policy.ModeAudit), ""),
	"Spec.eviction": enum(string(policy.EvictionNone), string(policy.EvictionSafe), string(policy.EvictionNever), string(policy.EvictionLocalVolumes)),
	"Spec.poolKey":  optional(qualifiedName),
	"Spec.taintKey": optional(qualifiedName),
	"Spec.schedulerName": func(s Schema) {
		s["pattern"], s["maxLength"] = "("+dns1123Subdomain+")|^$", 253
	},
	"Spec.annotations": func(s Schema) {
		s["propertyNames"] = Schema{"pattern": annotationKey, "maxLength": maxQualified, "not": Schema{"anyOf": []Schema{
			{"enum": refusedAnnotations},
			{"pattern": "^" + regexp.QuoteMeta(corev1.SeccompContainerAnnotationKeyPrefix)},
			{"pattern": "^" + regexp.QuoteMeta(corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix)},
		}}}
		s["properties"] = Schema{corev1.PodDeletionCost: Schema{"type": "string", "pattern": deletionCost}}
	},
	"Match.namespaces":         items(func(s Schema) { s["pattern"], s["maxLength"] = dns1123Label, 63 }),
	"Pool.name":                func(s Schema) { s["pattern"], s["minLength"] = labelValue, 1 },
	"Pool.weight":              weight,
	"Zones.key":                optional(qualifiedName),
	"Zones.allowed":            items(func(s Schema) { s["pattern"], s["minLength"] = labelValue, 1 }),
	"Zones.sameZoneBy":         optional(qualifiedName),
	"Zones.sameZoneWeight":     func(s Schema) { s["minimum"], s["maximum"] = 0, 100 },
	"PreferredZone.name":       func(s Schema) { s["pattern"], s["minLength"] = labelValue, 1 },
	"PreferredZone.weight":     weight,
	"EmptyDir.sizeLimit":       positive,
	"EmptyDir.memorySizeLimit": positive,
	"Prepull.images":           items(pattern(imageReference)),
	// The 10s minimum of rebalance.after is left to validation: a pattern
	// for "at least 10s" over every duration syntax (90000ms, 0.5m) is
	// beyond what editors should be asked to run.
	"Rebalance.after":        pattern(durationPattern),
	"Rebalance.maxPerMinute": func(s Schema) { s["minimum"], s["maximum"] = 1, policy.MaxRebalancePerMinute },
	"Toleration.key":         optional(qualifiedName),
	"Toleration.operator":    enum(string(corev1.TolerationOpEqual), string(corev1.TolerationOpExists), ""),
	"Toleration.effect":      enum(string(corev1.TaintEffectNoSchedule), string(corev1.TaintEffectPreferNoSchedule), string(corev1.TaintEffectNoExecute), ""),
	"LabelSelectorRequirement.key": func(s Schema) {
		s["pattern"], s["maxLength"] = qualifiedName, maxQualified
	},
	"LabelSelectorRequirement.operator": enum("In", "NotIn", "Exists", "DoesNotExist"),
	"LabelSelectorRequirement.values":   items(pattern(labelValue)),
	"LabelSelector.matchLabels": func(s Schema) {
		s["propertyNames"] = Schema{"pattern": qualifiedName, "maxLength": maxQualified}
		s["additionalProperties"].(Schema)["pattern"] = labelValue
	},
}

// structRules add the rules between fields of one type.
var structRules = map[string]func(Schema){
	// strictPools means nothing without pools, and rebalance has nowhere to
	// move pods without them.
	"Spec": func(s Schema) {
		needsPools := Schema{"required": []string{"pools"}, "properties": Schema{"pools": Schema{"type": "array", "minItems": 1}}}
		s["allOf"] = []Schema{
			{
				"if":   Schema{"required": []string{"strictPools"}, "properties": Schema{"strictPools": Schema{"type": "boolean"}}},
				"then": needsPools,
			},
			{
				"if":   Schema{"required": []string{"rebalance"}, "properties": Schema{"rebalance": Schema{"type": "object"}}},
				"then": needsPools,
			},
		}
	},
	// A zone weight other than 0 (the default, 100) needs sameZoneBy.
	"Zones": func(s Schema) {
		s["if"] = Schema{"required": []string{"sameZoneWeight"}, "properties": Schema{"sameZoneWeight": Schema{"type": "integer", "not": Schema{"const": 0}}}}
		s["then"] = Schema{"required": []string{"sameZoneBy"}, "properties": Schema{"sameZoneBy": Schema{"type": "string", "minLength": 1}}}
	},
	// The API server's toleration rules: Exists takes no value; otherwise a
	// key and a label value; tolerationSeconds only with NoExecute.
	"Toleration": func(s Schema) {
		s["allOf"] = []Schema{
			{
				"if":   Schema{"required": []string{"operator"}, "properties": Schema{"operator": Schema{"const": "Exists"}}},
				"then": Schema{"properties": Schema{"value": Schema{"enum": []any{"", nil}}}},
				"else": Schema{
					"required":   []string{"key"},
					"properties": Schema{"key": Schema{"minLength": 1}, "value": Schema{"pattern": labelValue}},
				},
			},
			{
				"if":   Schema{"required": []string{"tolerationSeconds"}, "properties": Schema{"tolerationSeconds": Schema{"type": "integer"}}},
				"then": Schema{"required": []string{"effect"}, "properties": Schema{"effect": Schema{"const": string(corev1.TaintEffectNoExecute)}}},
			},
		}
	},
	// In and NotIn need values; Exists and DoesNotExist take none.
	"LabelSelectorRequirement": func(s Schema) {
		s["allOf"] = []Schema{
			{
				"if":   Schema{"properties": Schema{"operator": Schema{"enum": []string{"In", "NotIn"}}}},
				"then": Schema{"required": []string{"values"}, "properties": Schema{"values": Schema{"type": "array", "minItems": 1}}},
			},
			{
				"if":   Schema{"properties": Schema{"operator": Schema{"enum": []string{"Exists", "DoesNotExist"}}}},
				"then": Schema{"properties": Schema{"values": Schema{"maxItems": 0}}},
			},
		}
	},
}
