package policy

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"
)

// validateHeadroom checks a policy's headroom. Headroom buys nodes, so a
// policy whose headroom nothing steers (no pools, no zone list) is an error:
// its chunks would land on whatever node is cheapest, not where the policy's
// pods go.
func validateHeadroom(d document, errs *ErrorList) {
	s := d.policy.Spec
	h := s.Headroom
	if h == nil {
		return
	}
	if h.Replicas < 0 {
		d.errorf(errs, "spec.headroom.replicas", "must not be negative, got %d", h.Replicas)
	}
	if len(h.Requests) == 0 {
		d.errorf(errs, "spec.headroom.requests", "required: the resources of one chunk")
	}
	for name, q := range h.Requests {
		path := "spec.headroom.requests." + string(name)
		if msg := resourceNameProblem(name); msg != "" {
			d.errorf(errs, path, "invalid resource name %q: %s", name, msg)
		}
		if q.Sign() <= 0 {
			d.errorf(errs, path, "must be greater than zero")
		}
	}
	if len(s.Pools) == 0 && (s.Zones == nil || len(zoneList(s.Zones)) == 0 && len(s.Zones.Preferred) == 0) {
		d.errorf(errs, "spec.headroom", "needs pools or zones to steer it: without them it buys capacity anywhere")
	}
}

// resourceNameProblem applies the API server's rule for container resource
// names: a qualified name, and one with a domain unless it is a standard one.
func resourceNameProblem(name corev1.ResourceName) string {
	if msgs := validation.IsQualifiedName(string(name)); len(msgs) > 0 {
		return strings.Join(msgs, "; ")
	}
	switch {
	case strings.Contains(string(name), "/"):
	case name == corev1.ResourceCPU, name == corev1.ResourceMemory, name == corev1.ResourceEphemeralStorage:
	case strings.HasPrefix(string(name), corev1.ResourceHugePagesPrefix):
	default:
		return "neither a standard resource (cpu, memory, ephemeral-storage, hugepages-*) nor domain-qualified"
	}
	return ""
}

// headroomWarnings says when a policy's headroom has no effect.
func headroomWarnings(c *compiled) []string {
	h := c.spec.Headroom
	if h == nil || c.mode != ModeAudit || h.Replicas == 0 {
		return nil
	}
	return []string{"policy " + c.name + ": headroom is ignored in Audit mode: Audit policies create nothing"}
}
