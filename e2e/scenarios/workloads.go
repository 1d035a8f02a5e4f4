package scenarios

import (
	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// AppImage is the image of every sample container. It is never pulled:
// there is no kubelet.
const AppImage = "e2e/app:1.0"

// ScratchVolume is the disk-backed emptyDir every sample pod mounts, without
// a sizeLimit, so that policies can set one.
const ScratchVolume = "scratch"

// PodSpec is a one-container spec with small requests and a scratch emptyDir.
func PodSpec() corev1.PodSpec {
	return corev1.PodSpec{
		Containers: []corev1.Container{{
			Name: "main", Image: AppImage,
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
				corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi"),
			}},
			VolumeMounts: []corev1.VolumeMount{{Name: ScratchVolume, MountPath: "/scratch"}},
		}},
		Volumes: []corev1.Volume{{Name: ScratchVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}}},
	}
}

// BarePod is a pod with PodSpec and labels.
func BarePod(namespace, name string, labels map[string]string) *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name, Labels: labels},
		Spec:       PodSpec(),
	}
}

// template is a pod template with labels and PodSpec.
func template(labels map[string]string, restart corev1.RestartPolicy) corev1.PodTemplateSpec {
	spec := PodSpec()
	if restart != "" {
		spec.RestartPolicy = restart
	}
	return corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels}, Spec: spec}
}

// Deployment runs replicas pods labelled labels.
func Deployment(namespace, name string, replicas int32, labels map[string]string) *appsv1.Deployment {
	return &appsv1.Deployment{
		TypeMeta:   metav1.TypeMeta{APIVersion: "apps/v1", Kind: "Deployment"},
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: template(labels, ""),
		},
	}
}

// Job runs parallelism pods at once, labelled labels, that never finish here.
func Job(namespace, name string, parallelism int32, labels map[string]string) *batchv1.Job {
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: batchv1.JobSpec{
			Parallelism: ptr.To(parallelism),
			Completions: ptr.To(parallelism),
			Template:    template(labels, corev1.RestartPolicyNever),
		},
	}
}

// DaemonSet runs one pod labelled labels on every Node it tolerates.
func DaemonSet(namespace, name string, labels map[string]string) *appsv1.DaemonSet {
	return &appsv1.DaemonSet{
		ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name},
		Spec: appsv1.DaemonSetSpec{
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: template(labels, ""),
		},
	}
}

// Spark labels, as Spark on Kubernetes sets them.
const (
	SparkRoleLabel = "spark-role"
	SparkAppLabel  = "spark-app-selector"
)

// Executor is executor i of a Spark application, as the driver creates it:
// a bare pod owned by the driver pod, in the driver's namespace, labelled
// with the driver's application id.
func Executor(driver *corev1.Pod, i int) *corev1.Pod {
	name := driver.Name + "-exec-" + itoa(i)
	pod := BarePod(driver.Namespace, name, map[string]string{
		SparkRoleLabel: "executor", SparkAppLabel: driver.Labels[SparkAppLabel], "spark-exec-id": itoa(i),
	})
	pod.Spec.RestartPolicy = corev1.RestartPolicyNever
	pod.OwnerReferences = []metav1.OwnerReference{{
		APIVersion: "v1", Kind: "Pod", Name: driver.Name, UID: driver.UID, Controller: ptr.To(true),
	}}
	return pod
}
