package policy

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mattbaird/jsonpatch"
	corev1 "k8s.io/api/core/v1"
)

// Setting names one concern a policy decides; it labels changes, skips and
// metrics.
type Setting string

// The settings, one mutator each.
const (
	SettingPools         Setting = "pools"
	SettingZones         Setting = "zones"
	SettingTolerations   Setting = "tolerations"
	SettingSchedulerName Setting = "schedulerName"
	SettingEmptyDir      Setting = "emptyDir"
	SettingPrepull       Setting = "prepull"
	SettingEviction      Setting = "eviction"
	SettingAnnotations   Setting = "annotations"
)

// Change is one thing a policy added to the pod, or would add in Audit mode.
type Change struct {
	Policy  string
	Setting Setting
	Detail  string
}

// String formats the change for logs and the CLI.
func (c Change) String() string {
	return fmt.Sprintf("%s: %s: %s", c.Policy, c.Setting, c.Detail)
}

// SkipReason says, in a word fit for a metric label, why a setting was left
// to the pod.
type SkipReason string

// The reasons a setting is skipped.
const (
	SkipPodChosePool SkipReason = "pod-chose-pool"
	SkipPodChoseZone SkipReason = "pod-chose-zone"
	SkipPodScheduler SkipReason = "pod-scheduler"
	SkipPodEviction  SkipReason = "pod-eviction"
	SkipWindowsPod   SkipReason = "windows-pod"
	SkipNameClash    SkipReason = "name-clash"
)

// Skip is a setting a policy left alone because the pod already decides it.
type Skip struct {
	Policy  string
	Setting Setting
	Reason  SkipReason
}

// Result is what Apply did to a pod, and why.
type Result struct {
	// Pod is the mutated pod, nil under Options.PatchOnly. The input pod is
	// never modified; Pod shares with it every field no mutator wrote, so
	// treat it as read-only.
	Pod *corev1.Pod
	// Patch is the JSON patch (RFC 6902) that turns the input pod into Pod,
	// built from what the mutators wrote: only "add" operations, in the
	// order they were made, none replacing a field poolpatch did not write.
	// It applies to a pod; PatchAt prefixes it for a pod template.
	Patch []jsonpatch.JsonPatchOperation
	// Changed reports whether Pod differs from the input (Patch is not empty).
	Changed bool
	// Excluded is why the pod is never mutated (DaemonSet pod, mirror pod,
	// already bound, opted out), or empty.
	Excluded string
	// Enforced and Audited name the matching policies of each mode, in order.
	Enforced []string
	Audited  []string
	// Changes lists what the Enforce policies added, when
	// Options.RecordChanges asks for it; AuditChanges what the Audit
	// policies would have added on top.
	Changes      []Change
	AuditChanges []Change
	// Skips lists settings left to the pod.
	Skips []Skip
	// Warnings are short, name their policy and are meant for the user.
	Warnings []string
}

// maxWarning keeps warnings under the 120 characters kubectl users read.
const maxWarning = 119

func (r *Result) warn(policy, format string, args ...any) {
	msg := fmt.Sprintf("policy %s: %s", policy, fmt.Sprintf(format, args...))
	if len(msg) > maxWarning {
		msg = msg[:maxWarning-3] + "..."
	}
	for _, w := range r.Warnings {
		if w == msg {
			return
		}
	}
	r.Warnings = append(r.Warnings, msg)
}

// auditSummary turns each Audit policy's changes into one warning, so that
// kubectl shows what the policy would do without flooding the terminal.
func (r *Result) auditSummary() {
	settings := map[string][]string{}
	var order []string
	for _, c := range r.AuditChanges {
		if _, ok := settings[c.Policy]; !ok {
			order = append(order, c.Policy)
		}
		if !slices.Contains(settings[c.Policy], string(c.Setting)) {
			settings[c.Policy] = append(settings[c.Policy], string(c.Setting))
		}
	}
	for _, name := range order {
		r.warn(name, "Audit mode, would set %s", strings.Join(settings[name], ", "))
	}
}

// PatchAt returns the patch with every path below prefix, such as
// "/spec/template" for a Deployment's pod template. A template is
// mutated as a pod, and a template's metadata and spec sit at the same paths
// below it as a pod's below its root. An unchanged pod gives an empty,
// non-nil patch.
func (r *Result) PatchAt(prefix string) []jsonpatch.JsonPatchOperation {
	ops := make([]jsonpatch.JsonPatchOperation, len(r.Patch))
	for i, op := range r.Patch {
		op.Path = prefix + op.Path
		ops[i] = op
	}
	return ops
}
