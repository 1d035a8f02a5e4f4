package policy

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

// DecodePod decodes, from a pod's JSON, only what Apply reads: the webhook
// gets the whole pod, most of which (managedFields, the containers' env,
// probes and mounts, status) no mutator looks at. Containers keep their
// name, image, pull policy and resources; every list keeps its length, so
// the indexes in Apply's patch are those of the whole pod, to which the
// patch applies. Volumes keep their name and their emptyDir or hostPath
// source. Fields outside this view are not lost: the patch only adds.
//
// The pod is walked once (jsonscan.go, decode_pod_scan.go): the parts Apply
// reads are decoded on the way, the common ones without reflection
// (decode_pod_values.go), the rare ones (affinity, os, hostPath, resource
// claims) with encoding/json; the rest is only skipped. A pod that is not
// plain (a field name in another letter case or escaped, a field given
// twice, invalid JSON, a value of the wrong type) is decoded whole with
// encoding/json instead, which gives the same pod or the error;
// FuzzDecodePodScan holds the two equal.
func DecodePod(raw []byte) (*corev1.Pod, error) {
	var v podView
	if !v.scan(raw) {
		v = podView{}
		if err := json.Unmarshal(raw, &v); err != nil {
			return nil, fmt.Errorf("decode pod: %w", err)
		}
	}
	m, s := v.Metadata, v.Spec
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: m.Name, GenerateName: m.GenerateName, Namespace: m.Namespace, UID: m.UID,
			Labels: m.Labels, Annotations: m.Annotations, OwnerReferences: m.OwnerReferences,
		},
		Spec: corev1.PodSpec{
			NodeName: s.NodeName, NodeSelector: s.NodeSelector, Affinity: s.Affinity,
			Tolerations: s.Tolerations, Volumes: volumes(s.Volumes), OS: s.OS, SchedulerName: s.SchedulerName,
			InitContainers:      containers(s.InitContainers),
			Containers:          containers(s.Containers),
			EphemeralContainers: ephemeral(s.EphemeralContainers),
		},
	}, nil
}

// podView is the part of a pod the engine reads.
type podView struct {
	Metadata struct {
		Name            string                  `json:"name"`
		GenerateName    string                  `json:"generateName"`
		Namespace       string                  `json:"namespace"`
		UID             types.UID               `json:"uid"`
		Labels          map[string]string       `json:"labels"`
		Annotations     map[string]string       `json:"annotations"`
		OwnerReferences []metav1.OwnerReference `json:"ownerReferences"`
	} `json:"metadata"`
	Spec struct {
		NodeName            string              `json:"nodeName"`
		NodeSelector        map[string]string   `json:"nodeSelector"`
		Affinity            *corev1.Affinity    `json:"affinity"`
		Tolerations         []corev1.Toleration `json:"tolerations"`
		Volumes             []volumeView        `json:"volumes"`
		OS                  *corev1.PodOS       `json:"os"`
		SchedulerName       string              `json:"schedulerName"`
		InitContainers      []containerView     `json:"initContainers"`
		Containers          []containerView     `json:"containers"`
		EphemeralContainers []containerView     `json:"ephemeralContainers"`
	} `json:"spec"`
}

// containerView is the part of a container the engine reads.
type containerView struct {
	Name            string                      `json:"name"`
	Image           string                      `json:"image"`
	ImagePullPolicy corev1.PullPolicy           `json:"imagePullPolicy"`
	Resources       corev1.ResourceRequirements `json:"resources"`
}

// volumeView is the part of a volume the engine reads: its name and
// whether it is an emptyDir or a hostPath.
type volumeView struct {
	Name     string                       `json:"name"`
	EmptyDir *corev1.EmptyDirVolumeSource `json:"emptyDir"`
	HostPath *corev1.HostPathVolumeSource `json:"hostPath"`
}

func volumes(in []volumeView) []corev1.Volume {
	if in == nil {
		return nil
	}
	out := make([]corev1.Volume, len(in))
	for i, v := range in {
		out[i] = corev1.Volume{Name: v.Name, VolumeSource: corev1.VolumeSource{EmptyDir: v.EmptyDir, HostPath: v.HostPath}}
	}
	return out
}

func containers(in []containerView) []corev1.Container {
	if in == nil {
		return nil
	}
	out := make([]corev1.Container, len(in))
	for i, c := range in {
		out[i] = corev1.Container{Name: c.Name, Image: c.Image, ImagePullPolicy: c.ImagePullPolicy, Resources: c.Resources}
	}
	return out
}

func ephemeral(in []containerView) []corev1.EphemeralContainer {
	if in == nil {
		return nil
	}
	out := make([]corev1.EphemeralContainer, len(in))
	for i, c := range in {
		out[i].Name = c.Name
	}
	return out
}
