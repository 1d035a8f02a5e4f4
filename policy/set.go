package policy

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// DefaultPrepullHelperImage is the image whose prepull no-op the prepull
// init containers copy, unless Options say otherwise.
const DefaultPrepullHelperImage = "poolpatch/poolpatch:latest"

// Set is a validated, compiled policy set: what one generation serves. A Set
// is immutable once built and safe for concurrent use.
type Set struct {
	policies []*compiled
	// Generation identifies the set's content: a short hash of its sources.
	Generation string
	// Warnings are advice from validation that does not reject the set, such
	// as a zone weight that can outrank the pool preference.
	Warnings []string
}

// Len returns the number of policies in the set.
func (s *Set) Len() int { return len(s.policies) }

// Names returns the policy names in order.
func (s *Set) Names() []string {
	names := make([]string, len(s.policies))
	for i, p := range s.policies {
		names[i] = p.name
	}
	return names
}

// compiled is a policy with its defaults resolved and selectors parsed once.
type compiled struct {
	spec           Spec
	name           string
	mode           Mode
	namespaces     map[string]bool
	nsSelector     labels.Selector
	podSelector    labels.Selector
	poolKey        string
	taintKey       string
	strictPools    bool
	zoneKey        string
	sameZoneWeight int32
	// annotations (in key order), tolerations and poolTolerations (per
	// pool) are prepared once here rather than for every pod.
	annotations     []annotation
	tolerations     []toleration
	poolTolerations [][]toleration
	// rebalanceAfter is spec.rebalance.after, parsed.
	rebalanceAfter time.Duration
}

func compile(docs []document, sources []Source) (*Set, error) {
	set := &Set{Generation: generation(sources)}
	for _, d := range docs {
		c, err := compileOne(d.policy)
		if err != nil {
			return nil, err
		}
		set.policies = append(set.policies, c)
		set.Warnings = append(set.Warnings, zoneWeightWarnings(c)...)
		set.Warnings = append(set.Warnings, headroomWarnings(c)...)
		set.Warnings = append(set.Warnings, rebalanceWarnings(c)...)
	}
	return set, nil
}

func compileOne(p PoolPolicy) (*compiled, error) {
	s := p.Spec
	c := &compiled{
		spec:           s,
		name:           p.Metadata.Name,
		mode:           s.Mode,
		poolKey:        orDefault(s.PoolKey, DefaultPoolKey),
		strictPools:    s.StrictPools == nil || *s.StrictPools,
		zoneKey:        DefaultZoneKey,
		sameZoneWeight: 100,
	}
	for _, key := range slices.Sorted(maps.Keys(s.Annotations)) {
		c.annotations = append(c.annotations, newAnnotation(key, s.Annotations[key], "annotation "+key))
	}
	c.tolerations = prepareTolerations(s.Tolerations)
	if c.mode == "" {
		c.mode = ModeEnforce
	}
	c.taintKey = orDefault(s.TaintKey, c.poolKey)
	if s.Rebalance != nil {
		c.rebalanceAfter, _ = time.ParseDuration(s.Rebalance.After) // validated
	}
	c.poolTolerations = poolTolerations(c.taintKey, s.Pools)
	if s.Zones != nil {
		c.zoneKey = orDefault(s.Zones.Key, DefaultZoneKey)
		if s.Zones.SameZoneWeight != 0 {
			c.sameZoneWeight = s.Zones.SameZoneWeight
		}
	}
	if len(s.Match.Namespaces) > 0 {
		c.namespaces = make(map[string]bool, len(s.Match.Namespaces))
		for _, ns := range s.Match.Namespaces {
			c.namespaces[ns] = true
		}
	}
	var err error
	if c.nsSelector, err = selector(s.Match.NamespaceSelector); err != nil {
		return nil, fmt.Errorf("policy %s: namespaceSelector: %w", c.name, err)
	}
	if c.podSelector, err = selector(s.Match.PodSelector); err != nil {
		return nil, fmt.Errorf("policy %s: podSelector: %w", c.name, err)
	}
	return c, nil
}

// selector returns nil for an unset selector, so that matching can tell
// "not given" (matches all) from an empty selector (also matches all).
func selector(sel *metav1.LabelSelector) (labels.Selector, error) {
	if sel == nil {
		return nil, nil
	}
	return metav1.LabelSelectorAsSelector(sel)
}

func generation(sources []Source) string {
	h := sha256.New()
	for _, src := range sources {
		fmt.Fprintf(h, "%d:%s\n%d:", len(src.Name), src.Name, len(src.Data))
		h.Write(src.Data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
