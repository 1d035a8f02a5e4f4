package policy

import (
	"fmt"
	"hash/fnv"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/utils/ptr"
)

// The prepull machinery: an install container copies the tiny static no-op
// from the helper image into a memory-backed emptyDir, and each prepull
// container runs that copy from its own image, so images without a shell work.
const (
	PrepullPrefix      = "poolpatch-prepull"
	PrepullInstallName = PrepullPrefix + "-install"
	PrepullVolumeName  = PrepullPrefix
	PrepullMountPath   = "/" + PrepullPrefix
	// PrepullHelperBinary is where the release image holds the no-op.
	PrepullHelperBinary = "/usr/local/bin/prepull"
	// PrepullVolumeLimit sits just above the no-op's size: memory-backed, the
	// volume is not local storage for the autoscaler.
	PrepullVolumeLimit = "4Mi"
	prepullUser        = 65532
)

// prepullRequests are the injected containers' requests and limits: tiny, so
// that init containers never raise the pod's effective request.
var prepullRequests = corev1.ResourceList{
	corev1.ResourceCPU:    resource.MustParse("10m"),
	corev1.ResourceMemory: resource.MustParse("16Mi"),
}

// mutatePrepull prepends init containers that pull each image and exit at
// once. Images already in the pod's init containers are skipped, which also
// makes the mutation idempotent; prepull lists merge across policies.
func mutatePrepull(m *mutation) bool {
	p := m.policy.spec.Prepull
	if p == nil {
		return false
	}
	images := prepullImages(m.pod, p)
	if len(images) == 0 {
		return false
	}
	if isWindows(m.pod) {
		m.skip(SkipWindowsPod, "Windows pod")
		return false
	}
	if slices.ContainsFunc(m.pod.Spec.Containers, func(c corev1.Container) bool { return strings.HasPrefix(c.Name, PrepullPrefix) }) {
		// Init and regular containers share one namespace of names.
		m.skip(SkipNameClash, "a container's name starts with "+PrepullPrefix)
		return false
	}
	inits := m.pod.Spec.InitContainers
	var added []corev1.Container
	// Runners go right after the install container and the runners that
	// follow it, wherever other webhooks put their own init containers, so
	// that the no-op is always installed before a runner starts.
	at := slices.IndexFunc(inits, func(c corev1.Container) bool { return c.Name == PrepullInstallName }) + 1
	if at == 0 {
		install := prepullContainer(m, PrepullInstallName, m.opts.helperImage(),
			[]string{PrepullHelperBinary, "--install", PrepullMountPath}, false)
		added = append(added, install)
		addPrepullVolume(m)
	}
	for at > 0 && at < len(inits) && strings.HasPrefix(inits[at].Name, PrepullPrefix) {
		at++
	}
	used := containerNames(m.pod)
	for _, image := range images {
		name := uniqueName(prepullName(image), used)
		used[name] = true
		added = append(added, prepullContainer(m, name, image, []string{PrepullMountPath + "/prepull"}, true))
		if m.record {
			m.changed("prepull " + image)
		}
	}
	m.insertInitContainers(at, added)
	return true
}

// containerNames are the names in use in the pod: init, regular and
// ephemeral containers share one namespace.
func containerNames(pod *corev1.Pod) map[string]bool {
	names := map[string]bool{}
	for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		names[c.Name] = true
	}
	for _, c := range pod.Spec.EphemeralContainers {
		names[c.Name] = true
	}
	return names
}

// uniqueName returns name, or name with the first free numeric suffix when
// another image's hash gave the same name.
func uniqueName(name string, used map[string]bool) string {
	if !used[name] {
		return name
	}
	for i := 2; ; i++ {
		if candidate := fmt.Sprintf("%s-%d", name, i); !used[candidate] {
			return candidate
		}
	}
}

// prepullImages returns the images to prepull that no init container runs yet.
func prepullImages(pod *corev1.Pod, p *Prepull) []string {
	wanted := slices.Clone(p.Images)
	if p.FromContainers {
		for _, c := range pod.Spec.Containers {
			wanted = append(wanted, c.Image)
		}
	}
	var images []string
	for _, image := range wanted {
		inInit := slices.ContainsFunc(pod.Spec.InitContainers, func(c corev1.Container) bool { return c.Image == image })
		if image != "" && !inInit && !slices.Contains(images, image) {
			images = append(images, image)
		}
	}
	return images
}

func prepullContainer(m *mutation, name, image string, command []string, readOnly bool) corev1.Container {
	return corev1.Container{
		Name:                     name,
		Image:                    image,
		Command:                  command,
		ImagePullPolicy:          prepullPullPolicy(m.pod),
		Resources:                prepullResources(m.pod, m.ns),
		VolumeMounts:             []corev1.VolumeMount{{Name: PrepullVolumeName, MountPath: PrepullMountPath, ReadOnly: readOnly}},
		TerminationMessagePolicy: corev1.TerminationMessageFallbackToLogsOnError,
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             ptr.To(true),
			RunAsUser:                ptr.To[int64](prepullUser),
			AllowPrivilegeEscalation: ptr.To(false),
			ReadOnlyRootFilesystem:   ptr.To(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
}

func addPrepullVolume(m *mutation) {
	if slices.ContainsFunc(m.pod.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == PrepullVolumeName }) {
		return
	}
	limit := resource.MustParse(PrepullVolumeLimit)
	m.addVolume(corev1.Volume{
		Name:         PrepullVolumeName,
		VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{Medium: corev1.StorageMediumMemory, SizeLimit: &limit}},
	})
}

// prepullName is stable per image, so reinvocation and templates agree;
// uniqueName settles the rare hash collision of two images.
func prepullName(image string) string {
	h := fnv.New32a()
	h.Write([]byte(image))
	return fmt.Sprintf("%s-%08x", PrepullPrefix, h.Sum32())
}

// prepullPullPolicy is IfNotPresent, or Always when every container of the
// pod already pulls Always (as the AlwaysPullImages plugin demands).
func prepullPullPolicy(pod *corev1.Pod) corev1.PullPolicy {
	always := len(pod.Spec.Containers) > 0
	for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		if !strings.HasPrefix(c.Name, PrepullPrefix) && c.ImagePullPolicy != corev1.PullAlways {
			always = false
		}
	}
	if always {
		return corev1.PullAlways
	}
	return corev1.PullIfNotPresent
}

// prepullResources are tiny requests equal to limits, never above what the
// pod's containers already request together (so the pod's effective request
// does not grow), raised to the namespace's LimitRange minimum. A BestEffort
// pod gets none, so it stays BestEffort.
func prepullResources(pod *corev1.Pod, ns Namespace) corev1.ResourceRequirements {
	if bestEffort(pod) && len(ns.ContainerMinimum) == 0 {
		return corev1.ResourceRequirements{}
	}
	list := corev1.ResourceList{}
	for name, tiny := range prepullRequests {
		q := podRequest(pod, name)
		if q.Cmp(tiny) > 0 {
			q = tiny.DeepCopy()
		}
		if min, ok := ns.ContainerMinimum[name]; ok && min.Cmp(q) > 0 {
			q = min.DeepCopy()
		}
		if !q.IsZero() {
			list[name] = q
		}
	}
	if len(list) == 0 {
		return corev1.ResourceRequirements{}
	}
	return corev1.ResourceRequirements{Requests: list, Limits: list.DeepCopy()}
}

// podRequest sums the regular containers' requests of one resource, a
// limit standing for a missing request as the API server's defaulting makes
// it: the CLI sees the manifest as written, the webhook the defaulted pod,
// and both must decide alike.
func podRequest(pod *corev1.Pod, name corev1.ResourceName) resource.Quantity {
	var sum resource.Quantity
	for _, c := range pod.Spec.Containers {
		if q, ok := c.Resources.Requests[name]; ok {
			sum.Add(q)
		} else if q, ok := c.Resources.Limits[name]; ok {
			sum.Add(q)
		}
	}
	return sum
}

func bestEffort(pod *corev1.Pod) bool {
	for _, c := range slices.Concat(pod.Spec.InitContainers, pod.Spec.Containers) {
		if strings.HasPrefix(c.Name, PrepullPrefix) {
			continue
		}
		for _, list := range []corev1.ResourceList{c.Resources.Requests, c.Resources.Limits} {
			if !list.Cpu().IsZero() || !list.Memory().IsZero() {
				return false
			}
		}
	}
	return true
}

func isWindows(pod *corev1.Pod) bool {
	return (pod.Spec.OS != nil && pod.Spec.OS.Name == corev1.Windows) ||
		pod.Spec.NodeSelector[corev1.LabelOSStable] == string(corev1.Windows)
}
