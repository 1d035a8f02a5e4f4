package policy

import (
	"encoding/json"
	"fmt"
	"maps"
	"path"
	"slices"
	"strconv"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	"k8s.io/apimachinery/pkg/util/validation"
)

// Annotations that only the kubelet sets: it reads them to tell static pods
// from pods of the API (k8s.io/kubernetes pkg/kubelet/types), so a pod
// created with one is taken for what it is not.
var kubeletAnnotations = []string{
	corev1.MirrorPodAnnotationKey,
	"kubernetes.io/config.source",
	"kubernetes.io/config.hash",
	"kubernetes.io/config.seen",
}

// validateAnnotations applies to a policy's annotations the rules the API
// server applies to a pod's (k8s.io/kubernetes pkg/apis/core/validation,
// ValidateObjectMeta and ValidatePodSpecificAnnotations, v1.37), so that no
// annotation a policy adds can get a matched pod refused. The total size
// is checked for the whole set, in validateAnnotationSize.
func validateAnnotations(d document, errs *ErrorList) {
	for key, value := range d.policy.Spec.Annotations {
		at := "spec.annotations." + key
		if msgs := validation.IsQualifiedName(strings.ToLower(key)); len(msgs) > 0 {
			checkValue(d, errs, at, key, msgs)
			continue
		}
		if msg := podAnnotationProblem(key, value); msg != "" {
			d.errorf(errs, at, "%s", msg)
		}
	}
}

// podAnnotationProblem says why the API server (or the kubelet) would not
// take this annotation on a pod poolpatch does not know, or "".
func podAnnotationProblem(key, value string) string {
	switch {
	case key == PoliciesAnnotation:
		return "reserved for poolpatch"
	case slices.Contains(kubeletAnnotations, key):
		return "set only by the kubelet: a pod created with it is taken for a static pod"
	case key == corev1.PodDeletionCost:
		if !validDeletionCost(value) {
			return fmt.Sprintf("invalid value %s: must be a 32bit integer (the API server rejects the pod)", quote(value))
		}
	case key == corev1.TolerationsAnnotationKey:
		return tolerationsAnnotationProblem(value)
	case key == corev1.SeccompPodAnnotationKey || strings.HasPrefix(key, corev1.SeccompContainerAnnotationKeyPrefix):
		if msg := seccompProfileProblem(value); msg != "" {
			return msg
		}
		return securityProfileRefusal
	case strings.HasPrefix(key, corev1.DeprecatedAppArmorBetaContainerAnnotationKeyPrefix):
		if msg := appArmorProfileProblem(value); msg != "" {
			return msg
		}
		return securityProfileRefusal
	}
	return ""
}

// securityProfileRefusal: the seccomp and AppArmor annotations are valid or
// not depending on each pod (they must agree with its own securityContext,
// AppArmor's must name one of its containers, and Pod Security admission
// judges them), so a policy that matches many pods cannot set them safely.
const securityProfileRefusal = "valid only if it agrees with each pod's securityContext and containers: set it in the pod, not in a policy"

// validDeletionCost is the API server's check of the pod-deletion-cost
// annotation: a 32-bit integer without a plus sign or leading zeros.
func validDeletionCost(value string) bool {
	if value == "" || !(value[0] == '-' || value == "0" || value[0] >= '1' && value[0] <= '9') {
		return false
	}
	_, err := strconv.ParseInt(value, 10, 32)
	return err == nil
}

// tolerationsAnnotationProblem checks the old tolerations annotation as the
// API server still does: JSON tolerations that each pass its rules.
func tolerationsAnnotationProblem(value string) string {
	if value == "" {
		return ""
	}
	var tolerations []corev1.Toleration
	if err := json.Unmarshal([]byte(value), &tolerations); err != nil {
		return "invalid value: not a JSON list of tolerations (the API server rejects the pod)"
	}
	for i, t := range tolerations {
		if msg := tolerationProblem(t); msg != "" {
			return fmt.Sprintf("invalid toleration %d: %s (the API server rejects the pod)", i, msg)
		}
	}
	return ""
}

// seccompProfileProblem is the API server's ValidateSeccompProfile.
func seccompProfileProblem(p string) string {
	switch {
	case p == corev1.SeccompProfileRuntimeDefault, p == corev1.DeprecatedSeccompProfileDockerDefault, p == corev1.SeccompProfileNameUnconfined:
		return ""
	case strings.HasPrefix(p, corev1.SeccompLocalhostProfileNamePrefix):
		local := strings.TrimPrefix(p, corev1.SeccompLocalhostProfileNamePrefix)
		if path.IsAbs(local) || slices.Contains(strings.Split(local, "/"), "..") {
			return fmt.Sprintf("invalid value %s: a localhost profile must be a relative path without '..'", quote(p))
		}
		return ""
	}
	return fmt.Sprintf("invalid value %s: must be a valid seccomp profile", quote(p))
}

// appArmorProfileProblem is the API server's ValidateAppArmorProfileFormat.
func appArmorProfileProblem(p string) string {
	if p == "" || p == corev1.DeprecatedAppArmorBetaProfileRuntimeDefault || p == corev1.DeprecatedAppArmorBetaProfileNameUnconfined ||
		strings.HasPrefix(p, corev1.DeprecatedAppArmorBetaProfileNamePrefix) {
		return ""
	}
	return fmt.Sprintf("invalid value %s: invalid AppArmor profile name", quote(p))
}

// validateAnnotationSize checks what the set's annotations can add up to on
// one pod against the API server's limit: every Enforce policy can match
// the same pod, each annotation is added once (the first policy's value
// wins, so the largest counts), and poolpatch adds poolpatch.io/policies
// naming them all and its eviction annotations. Audit policies write
// nothing. The error is at the annotation that crosses the limit.
func validateAnnotationSize(docs []document, errs *ErrorList) {
	largest := map[string]int{}
	added, names, eviction := 0, len(PoliciesAnnotation)-1, 0
	for _, d := range docs {
		if d.policy.Spec.Mode == ModeAudit {
			continue
		}
		names += 1 + len(d.policy.Metadata.Name) // "," and the name
		eviction = max(eviction, evictionAnnotationsSize(d.policy.Spec.Eviction))
		for _, key := range slices.Sorted(maps.Keys(d.policy.Spec.Annotations)) {
			size := len(key) + len(d.policy.Spec.Annotations[key])
			if size <= largest[key] {
				continue
			}
			added += size - largest[key]
			largest[key] = size
			if total := added + names + eviction; total > apivalidation.TotalAnnotationSizeLimitB {
				d.errorf(errs, "spec.annotations."+key, "the set's annotations reach %d bytes on a pod this policy and the ones before it match (%s included), over the API server's limit of %d",
					total, PoliciesAnnotation, apivalidation.TotalAnnotationSizeLimitB)
				return
			}
		}
	}
}

// evictionAnnotationsSize is the size of what an eviction setting adds; a
// local-volumes list depends on the pod and is bounded by its volume names.
func evictionAnnotationsSize(e Eviction) int {
	switch e {
	case EvictionSafe:
		return len(SafeToEvictAnnotation) + len("true")
	case EvictionNever:
		return len(SafeToEvictAnnotation) + len("false") + len(DoNotDisruptAnnotation) + len("true")
	case EvictionLocalVolumes:
		return len(SafeToEvictLocalVolumesAnnotation)
	}
	return 0
}
