package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// bigNumbers holds integers a float64 cannot hold (above 2^53) in kinds
// poolpatch passes through, in a List, and in a Pod it does not mutate
// (nodeName set).
const bigNumbers = `apiVersion: example.com/v1
kind: Widget
metadata: {name: w}
spec:
  int64max: 9223372036854775807
  int64min: -9223372036854775808
  uint64max: 18446744073709551615
  beyond: 123456789012345678901234567890
  twoTo53plus1: 9007199254740993
  hex: 0x7fffffffffffffff
  small: 42
  ratio: 0.5
  date: 2024-01-01
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: d, generation: 9007199254740993}
spec:
  template:
    spec:
      containers: [{name: c, image: i}]
      terminationGracePeriodSeconds: 9223372036854775807
---
apiVersion: v1
kind: List
items:
  - {apiVersion: v1, kind: ConfigMap, metadata: {name: c, resourceVersion: "1"}, data: {}, binaryData: {}, immutable: false}
  - apiVersion: v1
    kind: Pod
    metadata: {name: bound}
    spec:
      nodeName: node-1
      activeDeadlineSeconds: 9223372036854775807
      containers: [{name: c, image: i}]
`

// want is what bigNumbers must come back as, whatever the format.
const bigNumbersJSON = `[
 {"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{
  "int64max":9223372036854775807,"int64min":-9223372036854775808,"uint64max":18446744073709551615,
  "beyond":123456789012345678901234567890,"twoTo53plus1":9007199254740993,"hex":9223372036854775807,
  "small":42,"ratio":0.5,"date":"2024-01-01"}},
 {"apiVersion":"apps/v1","kind":"DaemonSet","metadata":{"name":"d","generation":9007199254740993},
  "spec":{"template":{"spec":{"containers":[{"name":"c","image":"i"}],"terminationGracePeriodSeconds":9223372036854775807}}}},
 {"apiVersion":"v1","kind":"List","items":[
  {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","resourceVersion":"1"},"data":{},"binaryData":{},"immutable":false},
  {"apiVersion":"v1","kind":"Pod","metadata":{"name":"bound"},"spec":{"nodeName":"node-1",
   "activeDeadlineSeconds":9223372036854775807,"containers":[{"name":"c","image":"i"}]}}]}
]`

// TestNumbersPreserved: every number of a value poolpatch does not own
// comes back exactly, above 2^53 too, read from YAML or from a JSON stream
// and printed as YAML or JSON (integers beyond uint64: JSON only, see the
// README).
func TestNumbersPreserved(t *testing.T) {
	dec := json.NewDecoder(strings.NewReader(bigNumbersJSON))
	dec.UseNumber()
	var want []any
	if err := dec.Decode(&want); err != nil {
		t.Fatal(err)
	}
	wantJSON, _ := json.Marshal(want) // canonical: keys sorted, numbers as written
	var stream bytes.Buffer
	for _, obj := range want {
		raw, _ := json.Marshal(obj)
		stream.Write(raw)
	}
	for _, in := range []struct{ name, data string }{{"yaml", bigNumbers}, {"json stream", stream.String()}} {
		for _, format := range []Format{FormatJSON, FormatYAML} {
			t.Run(in.name+" to "+string(format), func(t *testing.T) {
				out := mutateAll(t, in.data, format)
				docs, err := Read("out", out)
				if err != nil {
					t.Fatal(err)
				}
				objects := make([]any, 0, len(docs))
				for _, d := range docs {
					objects = append(objects, d.Object)
				}
				if format == FormatJSON && len(objects) == 1 && docs[0].IsList() {
					objects = docs[0].Object["items"].([]any)
				}
				got := canonicalJSON(t, objects)
				if format == FormatYAML {
					// The YAML writer holds integers up to uint64 only.
					got = strings.Replace(got, "1.2345678901234568e+29", "123456789012345678901234567890", 1)
				}
				if diff := cmp.Diff(string(wantJSON), got); diff != "" {
					t.Errorf("numbers changed (-want +got):\n%s", diff)
				}
			})
		}
	}
}

// mutateAll reads, mutates (nothing) and writes data as poolpatch mutate does.
func mutateAll(t *testing.T, data string, format Format) []byte {
	t.Helper()
	r := NewReader("in", strings.NewReader(data))
	var out bytes.Buffer
	w := NewWriter(&out, format)
	for {
		doc, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		mutated, outcomes, err := MutateDocument(doc, Options{DefaultNamespace: "default"})
		if err != nil {
			t.Fatal(err)
		}
		if err := w.Write(mutated, outcomes); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// canonicalJSON marshals v with UseNumber semantics (numbers as written).
func canonicalJSON(t *testing.T, v any) string {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		t.Fatal(err)
	}
	raw, _ = json.Marshal(generic)
	return string(raw)
}

// TestWrongTypesPositioned: a field of the wrong type in an object poolpatch
// reads is an error at that field's line and column, in YAML and in a JSON
// stream, in a Pod, a workload's template and a List's item.
func TestWrongTypesPositioned(t *testing.T) {
	pod := "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: c, image: i}]\n"
	tests := []struct{ name, data, want string }{
		{"tolerations as a map", pod + "  tolerations: {key: a}\n", "in:6:16: Pod p: spec.tolerations: expected []v1.Toleration, got object"},
		{"a port as a string", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers:\n    - name: c\n      ports: [{containerPort: 80}, {containerPort: eighty}]\n",
			"in:7:52: Pod p: spec.containers.ports.containerPort: expected int32, got string"},
		{"a template's field", "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec:\n  template:\n    spec:\n      nodeSelector: [a]\n",
			"in:7:21: Deployment d: spec.template.spec.nodeSelector: expected map[string]string, got array"},
		{"a CronJob's template", "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          priority: high\n",
			"in:9:21: CronJob c: spec.jobTemplate.spec.template.spec.priority: expected int32, got string"},
		{"a List's second item", "apiVersion: v1\nkind: List\nitems:\n- {apiVersion: v1, kind: Pod, metadata: {name: a}}\n- {apiVersion: v1, kind: Pod, metadata: {name: b}, spec: {hostNetwork: yes please}}\n",
			"in:5:72: Pod b: spec.hostNetwork: expected bool, got string"},
		{"a JSON stream's second object", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"}}` + "\n" + `{"apiVersion":"v1","kind":"Pod",` + "\n" + ` "metadata":{"name":"b"},"spec":{"tolerations":{"key":"a"}}}`,
			`in:3:48: Pod b: spec.tolerations: expected []v1.Toleration, got object`},
		{"a bad quantity: at the object", pod + "  overhead: {cpu: lots}\n", "in:1:1: pod p: "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := readAndMutate(tt.data)
			if !errors.Is(err, ErrUnreadable) || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %v, want ErrUnreadable starting %q", err, tt.want)
			}
		})
	}
}

func readAndMutate(data string) ([]Document, error) {
	docs, err := Read("in", []byte(data))
	if err != nil {
		return nil, err
	}
	for _, doc := range docs {
		if _, _, err := MutateDocument(doc, Options{DefaultNamespace: "default"}); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

// TestJSONStreams: concatenated JSON objects (what `jq '.items[]'` prints,
// or `jq -c`) are read one by one, as kubectl does, each with its position;
// what is not a stream of objects is a positioned error.
func TestJSONStreams(t *testing.T) {
	obj := func(name, extra string) string {
		return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"` + name + `"}` + extra + `}`
	}
	tests := []struct {
		name, data string
		want       []string // name@line:col of each document
		wantErr    string
	}{
		{"back to back", obj("a", "") + obj("b", ""), []string{"a@1:1", "b@1:63"}, ""},
		{"one a line", obj("a", "") + "\n" + obj("b", "") + "\n", []string{"a@1:1", "b@2:1"}, ""},
		{"pretty, braces and quotes in strings", "{\n  \"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",\n  \"metadata\": {\"name\": \"a\"},\n  \"data\": {\"x\": \"}{\\\"]\"}\n}\n  " + obj("b", ""),
			[]string{"a@1:1", "b@6:3"}, ""},
		{"YAML flow mappings are YAML", "{apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n---\n{apiVersion: v1, kind: ConfigMap, metadata: {name: b}}\n",
			[]string{"a@1:1", "b@3:1"}, ""},
		{"an array between objects", obj("a", "") + "\n[1]", nil, "in:2:1: not a Kubernetes object"},
		{"truncated", obj("a", "") + "\n" + `{"kind": "Pod"`, nil, "in:2:1: unexpected end of JSON input"},
		{"not JSON after the first", obj("a", "") + "\n{kind: Pod}", nil, "in:2:1: invalid character 'k'"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			docs, err := Read("in", []byte(tt.data))
			if tt.wantErr != "" {
				if !errors.Is(err, ErrUnreadable) || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Errorf("error %v, want ErrUnreadable starting %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, d := range docs {
				got = append(got, objectName(d.Object)+"@"+strings.TrimPrefix(d.Where(), "in:"))
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("documents (-want +got):\n%s", diff)
			}
		})
	}
}
