package policy

import (
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
)

const policyHeader = `
apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: p1}
spec:
`

const volumesPod = `
metadata:
  name: p
  ownerReferences: [{apiVersion: apps/v1, kind: ReplicaSet, name: rs, uid: u1, controller: true}]
spec:
  containers: [{name: main, image: app, resources: {requests: {cpu: "1", memory: 1Gi}}}]
  volumes:
    - {name: scratch, emptyDir: {}}
    - {name: shm, emptyDir: {medium: Memory}}
    - {name: kept, emptyDir: {sizeLimit: 5Gi}}
    - {name: host, hostPath: {path: /data}}
    - {name: conf, configMap: {name: c}}
`

func TestEmptyDir(t *testing.T) {
	res := applyChecked(t, mustPod(t, volumesPod),
		mustLoad(t, policyHeader+"  emptyDir: {sizeLimit: 20Gi, memorySizeLimit: 1Gi}\n"), Namespace{Name: "default"})
	got := map[string]string{}
	for _, v := range res.Pod.Spec.Volumes {
		if v.EmptyDir != nil && v.EmptyDir.SizeLimit != nil {
			got[v.Name] = v.EmptyDir.SizeLimit.String()
		}
	}
	want := map[string]string{"scratch": "20Gi", "shm": "1Gi", "kept": "5Gi"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("sizeLimits (-want +got):\n%s", diff)
	}
}

func TestEviction(t *testing.T) {
	bare := "metadata: {name: p}\nspec:\n  containers: [{name: m, image: i}]\n  volumes: [{name: scratch, emptyDir: {}}]\n"
	tests := []struct {
		name     string
		eviction string
		pod      string
		want     map[string]string
		warns    int
	}{
		{"safe", "safe", volumesPod, map[string]string{SafeToEvictAnnotation: "true"}, 0},
		{"never", "never", volumesPod, map[string]string{SafeToEvictAnnotation: "false", DoNotDisruptAnnotation: "true"}, 0},
		{"local-volumes lists disk emptyDirs and hostPath", "local-volumes", volumesPod,
			map[string]string{SafeToEvictLocalVolumesAnnotation: "scratch,kept,host"}, 0},
		{"local-volumes on a bare pod warns", "local-volumes", bare,
			map[string]string{SafeToEvictLocalVolumesAnnotation: "scratch"}, 1},
		{"local-volumes without local volumes adds nothing", "local-volumes", barePod, nil, 0},
		{"the pod decided already", "safe",
			"metadata: {name: p, annotations: {karpenter.sh/do-not-disrupt: \"true\"}}\nspec: {containers: [{name: m, image: i}]}\n",
			map[string]string{DoNotDisruptAnnotation: "true"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyChecked(t, mustPod(t, tt.pod), mustLoad(t, policyHeader+"  eviction: "+tt.eviction+"\n"), Namespace{Name: "default"})
			got := map[string]string{}
			for _, key := range evictionAnnotations {
				if v, ok := res.Pod.Annotations[key]; ok {
					got[key] = v
				}
			}
			if len(got) == 0 {
				got = nil
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("eviction annotations (-want +got):\n%s", diff)
			}
			if len(res.Warnings) != tt.warns {
				t.Errorf("warnings = %q, want %d", res.Warnings, tt.warns)
			}
		})
	}
}

func TestSchedulerName(t *testing.T) {
	tests := []struct {
		name, have, want string
		warns            int
	}{
		{"unset", "", "batch-scheduler", 0},
		{"API server default", "default-scheduler", "batch-scheduler", 0},
		{"pod's own scheduler wins", "volcano", "volcano", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pod := mustPod(t, barePod)
			pod.Spec.SchedulerName = tt.have
			res := applyChecked(t, pod, mustLoad(t, policyHeader+"  schedulerName: batch-scheduler\n"), Namespace{Name: "default"})
			if got := res.Pod.Spec.SchedulerName; got != tt.want || len(res.Warnings) != tt.warns {
				t.Errorf("schedulerName = %q with warnings %q, want %q with %d", got, res.Warnings, tt.want, tt.warns)
			}
		})
	}
}

func TestPrepull(t *testing.T) {
	policy := policyHeader + "  prepull: {images: [registry.example/models/bert:v3, registry.example/app:1], fromContainers: true}\n"
	tests := []struct {
		name      string
		pod       string
		ns        Namespace
		wantNames []string
		wantPull  corev1.PullPolicy
		wantRes   corev1.ResourceList
	}{
		{
			name: "burstable pod: tiny requests, capped by what the pod requests",
			pod: `
metadata: {name: p}
spec:
  initContainers: [{name: setup, image: registry.example/app:1}]
  containers: [{name: main, image: registry.example/app:2, resources: {requests: {cpu: 5m, memory: 1Gi}}}]
`,
			wantNames: []string{PrepullInstallName, prepullName("registry.example/models/bert:v3"), prepullName("registry.example/app:2"), "setup"},
			wantPull:  corev1.PullIfNotPresent,
			wantRes:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("5m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
		},
		{
			name:      "BestEffort pod stays BestEffort; Always everywhere means Always",
			pod:       "metadata: {name: p}\nspec: {containers: [{name: main, image: registry.example/app:1, imagePullPolicy: Always}]}\n",
			wantNames: []string{PrepullInstallName, prepullName("registry.example/models/bert:v3"), prepullName("registry.example/app:1")},
			wantPull:  corev1.PullAlways,
		},
		{
			name:      "LimitRange minimum raises the requests",
			pod:       "metadata: {name: p}\nspec: {containers: [{name: main, image: registry.example/app:1, resources: {requests: {cpu: \"1\", memory: 1Gi}}}]}\n",
			ns:        Namespace{ContainerMinimum: corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m")}},
			wantNames: []string{PrepullInstallName, prepullName("registry.example/models/bert:v3"), prepullName("registry.example/app:1")},
			wantPull:  corev1.PullIfNotPresent,
			wantRes:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("50m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
		},
		{
			// The API server defaults requests from limits before the webhook
			// sees the pod; the CLI sees the manifest as written and must
			// decide alike, or the pod drops from Guaranteed to Burstable.
			name:      "limits without requests count as requests",
			pod:       "metadata: {name: p}\nspec: {containers: [{name: main, image: registry.example/app:1, resources: {limits: {cpu: \"1\", memory: 1Gi}}}]}\n",
			wantNames: []string{PrepullInstallName, prepullName("registry.example/models/bert:v3"), prepullName("registry.example/app:1")},
			wantPull:  corev1.PullIfNotPresent,
			wantRes:   corev1.ResourceList{corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := applyChecked(t, mustPod(t, tt.pod), mustLoad(t, policy), tt.ns)
			var names []string
			for _, c := range res.Pod.Spec.InitContainers {
				names = append(names, c.Name)
				if !strings.HasPrefix(c.Name, PrepullPrefix) {
					continue
				}
				if c.ImagePullPolicy != tt.wantPull {
					t.Errorf("%s pull policy = %s, want %s", c.Name, c.ImagePullPolicy, tt.wantPull)
				}
				if diff := cmp.Diff(tt.wantRes, c.Resources.Requests, quantities); diff != "" {
					t.Errorf("%s requests (-want +got):\n%s", c.Name, diff)
				}
				if diff := cmp.Diff(c.Resources.Requests, c.Resources.Limits, quantities); diff != "" {
					t.Errorf("%s limits differ from requests:\n%s", c.Name, diff)
				}
				if sc := c.SecurityContext; sc == nil || !*sc.RunAsNonRoot || *sc.AllowPrivilegeEscalation || !*sc.ReadOnlyRootFilesystem {
					t.Errorf("%s security context is not restricted: %+v", c.Name, sc)
				}
			}
			if diff := cmp.Diff(tt.wantNames, names); diff != "" {
				t.Errorf("init containers (-want +got):\n%s", diff)
			}
			last := res.Pod.Spec.Volumes[len(res.Pod.Spec.Volumes)-1]
			if last.Name != PrepullVolumeName || last.EmptyDir.Medium != corev1.StorageMediumMemory || last.EmptyDir.SizeLimit == nil {
				t.Errorf("prepull volume = %+v, want a memory emptyDir with a sizeLimit", last)
			}
		})
	}
}

func TestPrepullSkipsWindows(t *testing.T) {
	pod := mustPod(t, "metadata: {name: p}\nspec: {os: {name: windows}, containers: [{name: m, image: i}]}\n")
	res := applyChecked(t, pod, mustLoad(t, policyHeader+"  prepull: {images: [registry.example/x:1]}\n"), Namespace{})
	if len(res.Pod.Spec.InitContainers) != 0 || len(res.Warnings) != 1 {
		t.Errorf("windows pod got init containers %v, warnings %q; want none and one warning", res.Pod.Spec.InitContainers, res.Warnings)
	}
}

func TestPrepullSkipsNameClash(t *testing.T) {
	pod := mustPod(t, "metadata: {name: p}\nspec: {containers: [{name: "+PrepullInstallName+", image: i}]}\n")
	res := applyChecked(t, pod, mustLoad(t, policyHeader+"  prepull: {images: [registry.example/x:1]}\n"), Namespace{})
	if len(res.Pod.Spec.InitContainers) != 0 || len(res.Skips) != 1 || res.Skips[0].Reason != SkipNameClash {
		t.Errorf("init containers %v, skips %v; want none and a name-clash skip", res.Pod.Spec.InitContainers, res.Skips)
	}
}

// TestPrepullRunnersFollowInstall: on a pod mutated before, where another
// webhook then put its init container first, a new runner still comes after
// the install container, which must have run before it.
func TestPrepullRunnersFollowInstall(t *testing.T) {
	bert := prepullName("registry.example/models/bert:v3")
	pod := mustPod(t, `
metadata: {name: p}
spec:
  initContainers:
  - {name: mesh-init, image: registry.example/mesh:1}
  - {name: `+PrepullInstallName+`, image: registry.example/helper:1}
  - {name: `+bert+`, image: registry.example/models/bert:v3}
  - {name: setup, image: registry.example/setup:1}
  containers: [{name: main, image: registry.example/app:1}]
  volumes: [{name: `+PrepullVolumeName+`, emptyDir: {medium: Memory, sizeLimit: 4Mi}}]
`)
	set := mustLoad(t, policyHeader+"  prepull: {images: [registry.example/models/bert:v3, registry.example/app:1]}\n")
	res := applyChecked(t, pod, set, Namespace{})
	var names []string
	for _, c := range res.Pod.Spec.InitContainers {
		names = append(names, c.Name)
	}
	want := []string{"mesh-init", PrepullInstallName, bert, prepullName("registry.example/app:1"), "setup"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("init containers (-want +got):\n%s", diff)
	}
}

// TestPrepullNamesUnique: two images whose FNV-1a hashes collide (found by
// search, pinned here) still get distinct container names.
func TestPrepullNamesUnique(t *testing.T) {
	const a, b = "registry.example/img:115285", "registry.example/img:1166840"
	if prepullName(a) != prepullName(b) {
		t.Fatalf("test images no longer collide: %s, %s", prepullName(a), prepullName(b))
	}
	pod := mustPod(t, "metadata: {name: p}\nspec: {containers: [{name: main, image: registry.example/app:1}]}\n")
	res := applyChecked(t, pod, mustLoad(t, policyHeader+"  prepull: {images: ["+a+", "+b+"]}\n"), Namespace{})
	seen := map[string]bool{}
	for _, c := range slices.Concat(res.Pod.Spec.InitContainers, res.Pod.Spec.Containers) {
		if seen[c.Name] {
			t.Errorf("container name %s used twice", c.Name)
		}
		seen[c.Name] = true
	}
	if len(res.Pod.Spec.InitContainers) != 3 {
		t.Errorf("init containers = %d, want install and two runners", len(res.Pod.Spec.InitContainers))
	}
}
