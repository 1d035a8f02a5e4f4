package policy

import (
	corev1 "k8s.io/api/core/v1"
)

// defaultSchedulerName is what the API server fills in before admission, so
// the webhook cannot tell it from a pod that named no scheduler.
const defaultSchedulerName = corev1.DefaultSchedulerName

// mutateSchedulerName sets the policy's scheduler on pods that name none.
func mutateSchedulerName(m *mutation) bool {
	want := m.policy.spec.SchedulerName
	if want == "" || !m.claim() {
		return false
	}
	switch have := m.pod.Spec.SchedulerName; have {
	case want:
		return false
	case "", defaultSchedulerName:
		m.setSchedulerName(want)
		if m.record {
			m.changed("schedulerName " + want)
		}
		return true
	default:
		m.skip(SkipPodScheduler, "pod names scheduler "+have)
		return false
	}
}

// mutateEmptyDir gives a size limit to emptyDir volumes that have none:
// sizeLimit to disk-backed ones, memorySizeLimit to medium Memory ones.
// Huge-page volumes are left alone.
func mutateEmptyDir(m *mutation) bool {
	if m.policy.spec.EmptyDir == nil {
		return false
	}
	changed := false
	for i := range m.pod.Spec.Volumes {
		v := &m.pod.Spec.Volumes[i]
		if v.EmptyDir == nil || v.EmptyDir.SizeLimit != nil {
			continue
		}
		limit := m.policy.sizeLimit
		if v.EmptyDir.Medium == corev1.StorageMediumMemory {
			limit = m.policy.memorySizeLimit
		} else if v.EmptyDir.Medium != corev1.StorageMediumDefault {
			continue
		}
		if limit == nil {
			continue
		}
		m.setSizeLimit(i, limit)
		if m.record {
			m.changed("volume " + v.Name + " sizeLimit " + limit.text)
		}
		changed = true
	}
	return changed
}

// mutateAnnotations sets the policy's annotations where the pod has none of
// that key; maps merge, so every matching policy adds what is missing.
func mutateAnnotations(m *mutation) bool {
	changed := false
	for i := range m.policy.annotations {
		a := &m.policy.annotations[i]
		if _, ok := m.annotation(a.key, a.hash); ok {
			continue
		}
		m.setAnnotation(a)
		m.changed(a.detail)
		changed = true
	}
	return changed
}
