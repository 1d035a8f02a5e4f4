package safety

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/internal/manifest"
)

// casePod is one pod to create: from a testdata file, or synthetic.
type casePod struct {
	source string // testdata file, or "synthetic"
	pod    *corev1.Pod
}

// testdataPods reads every manifest of testdata/pods: Pods as they are,
// workloads as the Pod of their template (as their controller creates it),
// in the document's namespace. Every returned pod has a name.
func testdataPods(t *testing.T) []casePod {
	t.Helper()
	paths, err := filepath.Glob("../../testdata/pods/*")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no testdata pods: %v", err)
	}
	var pods []casePod
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		docs, err := manifest.Read(filepath.Base(p), data)
		if err != nil {
			t.Fatal(err)
		}
		for _, obj := range manifest.Objects(docs) {
			if pod := podOf(t, obj); pod != nil {
				pods = append(pods, casePod{source: filepath.Base(p), pod: pod})
			}
		}
	}
	return pods
}

// podOf returns the Pod an object is or creates, or nil.
func podOf(t *testing.T, obj manifest.Object) *corev1.Pod {
	t.Helper()
	meta, _ := obj["metadata"].(map[string]any)
	name, _ := meta["name"].(string)
	namespace, _ := meta["namespace"].(string)
	var template any
	switch obj["kind"] {
	case "Pod":
		template = obj
	case "CronJob":
		template = dig(obj, "spec", "jobTemplate", "spec", "template")
	default:
		template = dig(obj, "spec", "template")
	}
	if template == nil {
		return nil
	}
	raw, err := json.Marshal(template)
	if err != nil {
		t.Fatal(err)
	}
	pod := &corev1.Pod{}
	if err := json.Unmarshal(raw, pod); err != nil {
		t.Fatalf("%s %s: %v", obj["kind"], name, err)
	}
	pod.APIVersion, pod.Kind = "v1", "Pod"
	if pod.Name == "" {
		pod.Name = strings.ToLower(obj["kind"].(string)) + "-" + name
	}
	pod.Namespace = namespace
	pod.ResourceVersion, pod.UID = "", ""
	if obj["kind"] == "StatefulSet" {
		addClaimVolumes(pod, dig(obj, "spec", "volumeClaimTemplates"))
	}
	return pod
}

// addClaimVolumes adds the volumes the StatefulSet controller adds for its
// volume claim templates.
func addClaimVolumes(pod *corev1.Pod, templates any) {
	list, _ := templates.([]any)
	for _, tmpl := range list {
		name, _ := dig(tmpl.(map[string]any), "metadata", "name").(string)
		pod.Spec.Volumes = append(pod.Spec.Volumes, corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{
			PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: name + "-" + pod.Name + "-0"}}})
	}
}

// dig walks nested maps by keys.
func dig(obj map[string]any, keys ...string) any {
	var cur any = obj
	for _, k := range keys {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[k]
	}
	return cur
}

// syntheticPods are Airflow task pods that get prepull containers: one
// compliant with restricted Pod Security, one BestEffort.
func syntheticPods() []casePod {
	restricted := &corev1.Pod{}
	restricted.Name, restricted.Namespace = "airflow-task-restricted", "airflow"
	restricted.Labels = map[string]string{"kubernetes_executor": "True"}
	restricted.Spec.SecurityContext = &corev1.PodSecurityContext{RunAsNonRoot: ptr(true),
		SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}}
	restricted.Spec.Containers = []corev1.Container{{Name: "base", Image: "registry.example/airflow:2.10",
		Resources: corev1.ResourceRequirements{Requests: resources("100m", "128Mi"), Limits: resources("100m", "128Mi")},
		SecurityContext: &corev1.SecurityContext{AllowPrivilegeEscalation: ptr(false),
			Capabilities: &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}}}}}
	bestEffort := &corev1.Pod{}
	bestEffort.Name, bestEffort.Namespace = "airflow-task-besteffort", "airflow"
	bestEffort.Labels = map[string]string{"kubernetes_executor": "True"}
	bestEffort.Spec.Containers = []corev1.Container{{Name: "base", Image: "registry.example/airflow:2.10"}}
	return []casePod{{"synthetic", restricted}, {"synthetic", bestEffort}}
}

func ptr[T any](v T) *T { return &v }
