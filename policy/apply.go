package policy

import (
	"maps"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// mutator adds one setting of a policy to a pod. It returns whether it
// changed the pod, and must change nothing when applied a second time.
type mutator struct {
	setting Setting
	apply   func(m *mutation) bool
}

// mutators run in this order for each policy.
var mutators = []mutator{
	{SettingPools, mutatePools},
	{SettingZones, mutateZones},
	{SettingTolerations, mutateTolerations},
	{SettingSchedulerName, mutateSchedulerName},
	{SettingEmptyDir, mutateEmptyDir},
	{SettingPrepull, mutatePrepull},
	{SettingEviction, mutateEviction},
	{SettingAnnotations, mutateAnnotations},
}

// Apply matches pod against the set's policies and returns a mutated copy
// with what changed and why. The pod passed in is never modified. A nil set
// has no policies.
func Apply(pod *corev1.Pod, set *Set, ns Namespace) *Result {
	res := &Result{Pod: pod.DeepCopy()}
	if set == nil {
		return res
	}
	if res.Excluded = excluded(pod); res.Excluded != "" {
		return res
	}
	podLabels := labels.Set(pod.Labels)
	var enforce, audit []*compiled
	for _, c := range set.policies {
		if !c.matches(podLabels, ns) {
			continue
		}
		if c.mode == ModeAudit {
			audit = append(audit, c)
			res.Audited = append(res.Audited, c.name)
		} else {
			enforce = append(enforce, c)
			res.Enforced = append(res.Enforced, c.name)
		}
	}
	claims := map[Setting]string{}
	res.Changes, res.Changed = runPass(res.Pod, enforce, set, ns, claims, res)
	if names := strings.Join(res.Enforced, ","); len(enforce) > 0 && res.Pod.Annotations[PoliciesAnnotation] != names {
		setAnnotation(res.Pod, PoliciesAnnotation, names)
		res.Changed = true
	}
	if len(audit) > 0 {
		// Audit policies see the enforced pod and the Enforce claims, but
		// what they add is thrown away: they never claim a setting.
		res.AuditChanges, _ = runPass(res.Pod.DeepCopy(), audit, set, ns, maps.Clone(claims), res)
		res.auditSummary()
	}
	return res
}

// runPass runs every mutator of every policy, in order, on pod.
func runPass(pod *corev1.Pod, policies []*compiled, set *Set, ns Namespace, claims map[Setting]string, res *Result) ([]Change, bool) {
	var changes []Change
	changed := false
	for _, c := range policies {
		m := &mutation{pod: pod, policy: c, set: set, ns: ns, claims: claims, result: res}
		for _, mut := range mutators {
			m.setting = mut.setting
			m.details = m.details[:0]
			if !mut.apply(m) {
				continue
			}
			changed = true
			for _, d := range m.details {
				changes = append(changes, Change{Policy: c.name, Setting: mut.setting, Detail: d})
			}
		}
	}
	return changes, changed
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

// mutation is the state one policy's mutators share while they work on a pod.
type mutation struct {
	pod     *corev1.Pod
	policy  *compiled
	set     *Set
	ns      Namespace
	claims  map[Setting]string
	result  *Result
	setting Setting
	details []string
}

// claim reports whether this policy decides the current single-valued
// setting: the first matching policy that sets it does.
func (m *mutation) claim() bool {
	if owner, taken := m.claims[m.setting]; taken && owner != m.policy.name {
		return false
	}
	m.claims[m.setting] = m.policy.name
	return true
}

// changed records what the mutator added, for logs and the CLI.
func (m *mutation) changed(detail string) {
	m.details = append(m.details, detail)
}

// skip records a setting left to the pod, with a warning that explains it.
func (m *mutation) skip(reason SkipReason, explanation string) {
	m.result.Skips = append(m.result.Skips, Skip{Policy: m.policy.name, Setting: m.setting, Reason: reason})
	m.result.warn(m.policy.name, "%s skipped: %s", m.setting, explanation)
}

func setAnnotation(pod *corev1.Pod, key, value string) {
	if pod.Annotations == nil {
		pod.Annotations = map[string]string{}
	}
	pod.Annotations[key] = value
}
