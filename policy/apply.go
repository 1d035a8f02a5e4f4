package policy

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// mutator adds one setting of a policy to a pod. It returns whether it
// changed the pod, and must change nothing when applied a second time. It
// writes only through the mutation's writer, and only below the JSON paths
// it declares.
type mutator struct {
	setting Setting
	writes  []string
	// sets reports whether a policy has this setting at all; a mutator is
	// run only for the policies that have it.
	sets func(c *compiled) bool
	// single marks a setting one policy decides, the first matching policy
	// that sets it (claim); it is not run for the others.
	single bool
	apply  func(m *mutation) bool
}

// mutators run in this order for each policy.
var mutators = [...]mutator{
	{SettingPools, []string{tolerationsPath, affinityPath}, func(c *compiled) bool { return len(c.spec.Pools) > 0 }, true, mutatePools},
	{SettingZones, []string{affinityPath}, func(c *compiled) bool { return c.spec.Zones != nil }, true, mutateZones},
	{SettingTolerations, []string{tolerationsPath}, func(c *compiled) bool { return len(c.tolerations) > 0 }, false, mutateTolerations},
	{SettingSchedulerName, []string{"/spec/schedulerName"}, func(c *compiled) bool { return c.spec.SchedulerName != "" }, true, mutateSchedulerName},
	{SettingEmptyDir, []string{"/spec/volumes"}, func(c *compiled) bool { return c.spec.EmptyDir != nil }, false, mutateEmptyDir},
	{SettingPrepull, []string{"/spec/initContainers", "/spec/volumes"}, func(c *compiled) bool { return c.spec.Prepull != nil }, false, mutatePrepull},
	{SettingEviction, []string{annotationsPath}, func(c *compiled) bool { return c.spec.Eviction != EvictionNone }, true, mutateEviction},
	{SettingAnnotations, []string{annotationsPath}, func(c *compiled) bool { return len(c.annotations) > 0 }, false, mutateAnnotations},
}

// settingsOf returns the bit set of the mutators a policy has settings
// for, bit i for mutators[i].
func settingsOf(c *compiled) uint8 {
	var bits uint8
	for i, mut := range mutators {
		if mut.sets(c) {
			bits |= 1 << i
		}
	}
	return bits
}

// policiesWrites is what Apply itself writes: the matched policies.
var policiesWrites = []string{annotationsPath}

// Options are the run-time settings of a mutation, the same for every pod of
// a server or a CLI run. The zero value means the defaults.
type Options struct {
	// PrepullHelperImage is the image the prepull install container runs;
	// empty means DefaultPrepullHelperImage.
	PrepullHelperImage string
	// RecordChanges lists what each Enforce policy added in
	// Result.Changes, for explain. The webhook and the CLI need only the
	// patch, and recording every write made up a fifth of Apply's cost.
	// Audit changes are always listed: their warnings are made from them.
	RecordChanges bool
	// PatchOnly leaves Result.Pod nil: the webhook answers with the patch
	// alone, and completing the pod (copying its tolerations with the
	// appended ones) cost as much again as appending them.
	PatchOnly bool
}

func (o Options) helperImage() string {
	return orDefault(o.PrepullHelperImage, DefaultPrepullHelperImage)
}

// Apply matches pod against the set's policies and returns what they add:
// the mutated pod (unless opts.PatchOnly), the JSON patch that makes the
// same change, and why. The pod passed in is never modified; the result's
// pod shares the fields no mutator wrote with it. A nil set has no
// policies.
func Apply(pod *corev1.Pod, set *Set, ns Namespace, opts Options) *Result {
	res := &Result{}
	if !opts.PatchOnly {
		res.Pod = pod
	}
	if set == nil {
		return res
	}
	if res.Excluded = excluded(pod); res.Excluded != "" {
		return res
	}
	podLabels := labels.Set(pod.Labels)
	// The matching policies are collected on the stack while they are
	// few, the common case, rather than grown on the heap for every pod.
	var enforceBuf, auditBuf [64]*compiled
	enforce, audit := enforceBuf[:0], auditBuf[:0]
	for c := range set.candidates(ns.Name) {
		if !c.matchesCandidate(podLabels, ns) {
			continue
		}
		if c.mode == ModeAudit {
			audit = append(audit, c)
		} else {
			enforce = append(enforce, c)
		}
	}
	if len(enforce) == 0 && len(audit) == 0 {
		return res
	}
	res.Enforced, res.Audited = names(enforce), names(audit)
	w := newWriter(pod)
	w.reserve(enforce)
	claims := &claims{}
	res.Changes = runPass(w, enforce, ns, opts, claims, res, opts.RecordChanges)
	if names := strings.Join(res.Enforced, ","); len(enforce) > 0 && pod.Annotations[PoliciesAnnotation] != names {
		w.writes = policiesWrites
		policies := newAnnotation(PoliciesAnnotation, names, "")
		w.setAnnotation(&policies)
	}
	res.Patch, res.Changed = w.ops, len(w.ops) > 0
	if opts.PatchOnly && len(audit) == 0 {
		return res
	}
	mutated := w.finish()
	if !opts.PatchOnly {
		res.Pod = mutated
	}
	if len(audit) > 0 {
		// Audit policies see the enforced pod and the Enforce claims, but
		// what they add is thrown away: they never claim a setting.
		auditClaims := *claims
		res.AuditChanges = runPass(newWriter(mutated), audit, ns, opts, &auditClaims, res, true)
		res.auditSummary()
	}
	return res
}

// runPass runs every mutator of every policy, in order, through w, and
// returns what they added when record is set.
func runPass(w *writer, policies []*compiled, ns Namespace, opts Options, claims *claims, res *Result, record bool) []Change {
	m := &mutation{writer: w, ns: ns, opts: opts, claims: claims, result: res, record: record}
	if record {
		m.changes = make([]Change, 0, cap(w.ops)-len(w.ops))
	}
	for _, c := range policies {
		m.policy = c
		for i := range mutators {
			mut := &mutators[i]
			if c.settings&(1<<i) == 0 || mut.single && claims[i] != nil && claims[i] != c {
				continue
			}
			m.index, m.setting, w.writes = i, mut.setting, mut.writes
			mut.apply(m)
		}
	}
	return m.changes
}

// names returns the names of policies, nil for none.
func names(policies []*compiled) []string {
	if len(policies) == 0 {
		return nil
	}
	out := make([]string, len(policies))
	for i, c := range policies {
		out[i] = c.name
	}
	return out
}

// excluded returns why a pod must never be mutated, or "".
func excluded(pod *corev1.Pod) string {
	switch {
	case pod.Labels[OptOutLabel] == "false":
		return "pod opted out with " + OptOutLabel + "=false"
	case ownedByDaemonSet(pod.OwnerReferences):
		return "pod of a DaemonSet"
	case pod.Annotations[MirrorPodAnnotation] != "":
		return "mirror pod"
	case pod.Spec.NodeName != "":
		return "pod already bound to node " + pod.Spec.NodeName
	}
	return ""
}

func ownedByDaemonSet(refs []metav1.OwnerReference) bool {
	for _, ref := range refs {
		if ref.Kind == "DaemonSet" {
			return true
		}
	}
	return false
}

// mutation is the state one policy's mutators share while they work on a
// pod. pod is the writer's pod, for reading; every write goes through writer.
type mutation struct {
	*writer
	policy  *compiled
	ns      Namespace
	opts    Options
	claims  *claims
	index   int
	result  *Result
	setting Setting
	record  bool
	changes []Change
}

// claim reports whether this policy decides the current single-valued
// setting: the first matching policy that sets it does.
func (m *mutation) claim() bool {
	if owner := m.claims[m.index]; owner != nil && owner != m.policy {
		return false
	}
	m.claims[m.index] = m.policy
	return true
}

// claims holds, per mutator of the table, the policy that decides its
// setting; an array rather than a map, since there are a handful.
type claims [numSettings]*compiled

// numSettings is the number of mutators; the blank array below fails to compile when
// the table and this number disagree.
const numSettings = 8

var _ = [1]struct{}{}[len(mutators)-numSettings]

// changed records what the mutator added, for explain. A mutator whose
// detail is built for the pod builds it only when m.record is set.
func (m *mutation) changed(detail string) {
	if !m.record {
		return
	}
	m.changes = append(m.changes, Change{Policy: m.policy.name, Setting: m.setting, Detail: detail})
}

// skip records a setting left to the pod, with a warning that explains it.
func (m *mutation) skip(reason SkipReason, explanation string) {
	m.result.Skips = append(m.result.Skips, Skip{Policy: m.policy.name, Setting: m.setting, Reason: reason})
	m.result.warn(m.policy.name, "%s skipped: %s", m.setting, explanation)
}
