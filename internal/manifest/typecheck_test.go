package manifest

import (
	"encoding/json"
	"testing"

	corev1 "k8s.io/api/core/v1"
)

// typeCases are pods with a field of the wrong type, or at an edge of what
// encoding/json accepts.
var typeCases = []struct {
	pod     string
	decodes bool
}{
	{`{"kind":"Pod","spec":{"containers":[{"name":"a","ports":[{"containerPort":80}]}]}}`, true},
	{`{"kind":"Pod","spec":{"containers":[{"name":"a","ports":[{"containerPort":"80"}]}]}}`, false},
	{`{"kind":"Pod","spec":{"containers":[{"ports":[{"containerPort":80.5}]}]}}`, false},
	{`{"kind":"Pod","spec":{"containers":[{"ports":[{"containerPort":4294967296}]}]}}`, false},
	{`{"kind":"Pod","spec":{"priority":"1"}}`, false},
	{`{"kind":"Pod","spec":{"hostNetwork":"true"}}`, false},
	{`{"kind":"Pod","spec":{"tolerations":{"key":"a"}}}`, false},
	{`{"kind":"Pod","spec":{"nodeSelector":["a"]}}`, false},
	{`{"kind":"Pod","spec":{"containers":[{"resources":{"limits":{"cpu":"2x"}}}]}}`, false},
	{`{"kind":"Pod","spec":{"containers":[{"resources":{"limits":{"cpu":2,"memory":"1Gi"}}}]}}`, true},
	{`{"kind":"Pod","metadata":{"creationTimestamp":null,"deletionTimestamp":"2024-01-01T00:00:00Z"}}`, true},
	{`{"kind":"Pod","metadata":{"creationTimestamp":"yesterday"}}`, false},
	{`{"kind":"Pod","spec":{"Containers":[]}}`, false},
	{`{"kind":"Pod","spec":{"unknownField":[1,2],"activeDeadlineSeconds":null}}`, true},
	{`{"kind":"Pod","spec":{"containers":[{"livenessProbe":{"httpGet":{"port":"http"}}},{"livenessProbe":{"httpGet":{"port":8080}}}]}}`, true},
	{`{"kind":"Pod","spec":{"containers":[{"livenessProbe":{"httpGet":{"port":true}}}]}}`, false},
	{`{"kind":"Pod","spec":{"securityContext":{"runAsUser":-1}}}`, true},
	{`{"kind":"Pod","spec":{"overhead":{"cpu":null}}}`, true},
}

// TestDecodes: decodes agrees with json.Unmarshal on pods with fields of
// the wrong type, and takes every testdata pod for one that decodes.
func TestDecodes(t *testing.T) {
	for _, c := range typeCases {
		obj, err := DecodeObject([]byte(c.pod))
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := appendJSON(nil, obj)
		full := json.Unmarshal(raw, &corev1.Pod{}) == nil
		if got := decodes(obj, podType); got != c.decodes || got && !full {
			t.Errorf("%s: decodes %v, want %v (json.Unmarshal succeeds: %v)", c.pod, got, c.decodes, full)
		}
	}
	for _, f := range readTestdata(t, "pods/*") {
		for _, obj := range Objects(f.docs) {
			if kindOf(obj) == "Pod" && !decodes(obj, podType) {
				t.Errorf("%s: a pod that decodes is not taken for one", f.path)
			}
		}
	}
}

// FuzzDecodes: decodes never says true where json.Unmarshal into a Pod or
// a pod template fails.
func FuzzDecodes(f *testing.F) {
	for _, c := range typeCases {
		f.Add(c.pod)
	}
	f.Fuzz(func(t *testing.T, data string) {
		obj, err := DecodeObject([]byte(data))
		if err != nil {
			return
		}
		raw, err := appendJSON(nil, obj)
		if err != nil {
			return
		}
		if decodes(obj, podType) {
			if err := json.Unmarshal(raw, &corev1.Pod{}); err != nil {
				t.Fatalf("%s: decodes, but json.Unmarshal: %v", raw, err)
			}
		}
		if decodes(obj, templateType) {
			if err := json.Unmarshal(raw, &corev1.PodTemplateSpec{}); err != nil {
				t.Fatalf("%s: decodes as a template, but json.Unmarshal: %v", raw, err)
			}
		}
	})
}
