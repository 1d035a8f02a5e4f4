package main

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	schedulingv1 "k8s.io/api/scheduling/v1"
	"sigs.k8s.io/yaml"
)

const headroomPolicies = testdataDir + "/policies/headroom.yaml"

// TestHeadroomGolden prints the headroom objects of both modes, compares them
// with the golden files, and decodes each document strictly into its
// Kubernetes type, so that a field the API server would drop fails here.
func TestHeadroomGolden(t *testing.T) {
	tests := []struct {
		mode  string
		kinds []string
	}{
		{"capacitybuffer", []string{"PodTemplate", "CapacityBuffer"}},
		{"placeholder", []string{"PriorityClass", "Deployment"}},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			stdout, stderr, code := cli(t, nil, "headroom", "-p", headroomPolicies, "-n", "poolpatch", "--headroom-mode", tt.mode)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			compareGolden(t, "headroom-"+tt.mode+".yaml", stdout)
			compareGolden(t, "headroom-"+tt.mode+".stderr", stderr)
			docs := strings.Split(stdout, "\n---\n")
			if len(docs) != len(tt.kinds) {
				t.Fatalf("%d documents, want %v", len(docs), tt.kinds)
			}
			for i, doc := range docs {
				checkDocument(t, tt.kinds[i], doc)
			}
		})
	}
}

func checkDocument(t *testing.T, kind, doc string) {
	t.Helper()
	var into any
	switch kind {
	case "PodTemplate":
		into = &corev1.PodTemplate{}
	case "Deployment":
		into = &appsv1.Deployment{}
	case "PriorityClass":
		into = &schedulingv1.PriorityClass{}
	case "CapacityBuffer":
		into = &struct {
			APIVersion string         `json:"apiVersion"`
			Kind       string         `json:"kind"`
			Metadata   map[string]any `json:"metadata"`
			Spec       struct {
				PodTemplateRef struct {
					Name string `json:"name"`
				} `json:"podTemplateRef"`
				Replicas int32 `json:"replicas"`
			} `json:"spec"`
		}{}
	}
	if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
		t.Errorf("%s does not decode strictly: %v\n%s", kind, err, doc)
	}
	if !strings.Contains(doc, "kind: "+kind+"\n") {
		t.Errorf("document is not a %s:\n%s", kind, doc)
	}
}

func TestHeadroomExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want int
		err  string
	}{
		{"over the cap", []string{"-p", headroomPolicies, "--max-headroom-chunks", "1"}, 1, "policies ask for 2 chunks, the cap is 1"},
		{"invalid policies", []string{"-p", testdataDir + "/policies/invalid.yaml"}, 1, "invalid.yaml:"},
		{"unknown mode", []string{"-p", headroomPolicies, "--headroom-mode", "balloons"}, 2, "--headroom-mode"},
		{"no policies", nil, 2, "-p is required"},
		{"missing file", []string{"-p", "nope.yaml"}, 1, "nope.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := cli(t, nil, append([]string{"headroom"}, tt.args...)...)
			if code != tt.want || !strings.Contains(stderr, tt.err) || stdout != "" {
				t.Errorf("exit %d, stderr %q, stdout %q; want %d and %q", code, stderr, stdout, tt.want, tt.err)
			}
		})
	}
}
