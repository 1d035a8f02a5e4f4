package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	pod := write("pod.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [{name: m, image: i}]}\n")
	noKind := write("nokind.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n---\nfoo: bar\n")
	scalar := write("scalar.yaml", "just a string\n")
	broken := write("broken.yaml", "kind: Pod\nmetadata: [\n")
	wrongType := write("wrongtype.yaml", "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: [{name: m, image: i}]\n  tolerations: {key: a}\n")
	jsonStream := write("stream.json", `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"a"},"spec":{"containers":[{"name":"m","image":"i"}]}}`+
		"\n"+`{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"b"}}`+"\n")
	invalid := filepath.Join(testdataDir, "policies", "invalid.yaml")
	configMap := filepath.Join(testdataDir, "policies", "configmap.yaml")
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStderr string
	}{
		{"mutate ok", []string{"mutate", "-p", examplePolicies, "-f", pod}, 0, ""},
		{"policies from a ConfigMap manifest", []string{"mutate", "-p", configMap, "-f", pod}, 0, ""},
		{"invalid policies", []string{"mutate", "-p", invalid, "-f", pod}, 1, "invalid.yaml:23:3: spec: unknown field"},
		{"missing policy file", []string{"mutate", "-p", filepath.Join(dir, "none.yaml"), "-f", pod}, 1, "no such file"},
		{"missing manifest", []string{"mutate", "-p", examplePolicies, "-f", filepath.Join(dir, "none.yaml")}, 2, "no such file"},
		{"document without kind", []string{"mutate", "-p", examplePolicies, "-f", noKind}, 2, "nokind.yaml:5:1: document has no kind"},
		{"document that is not a mapping", []string{"mutate", "-p", examplePolicies, "-f", scalar}, 2, "scalar.yaml:1:1: not a Kubernetes object"},
		{"YAML syntax error", []string{"mutate", "-p", examplePolicies, "-f", broken}, 2, "broken.yaml:"},
		{"field of the wrong type", []string{"mutate", "-p", examplePolicies, "-f", wrongType}, 2, "wrongtype.yaml:6:16: Pod p: spec.tolerations: expected"},
		{"concatenated JSON objects", []string{"mutate", "-p", examplePolicies, "-f", jsonStream}, 0, "ConfigMap default/b: not a Pod"},
		{"bad output format", []string{"mutate", "-p", examplePolicies, "-f", pod, "-o", "xml"}, 2, "unknown output format"},
		{"validate ok", []string{"validate", configMap}, 0, ""},
		{"files form one set: names are unique across them", []string{"validate", examplePolicies, configMap}, 1, "duplicate policy name"},
		{"validate invalid", []string{"validate", invalid}, 1, "invalid.yaml:107:21:"},
		{"validate nothing", []string{"validate"}, 2, "Usage"},
		{"version", []string{"version"}, 0, ""},
		{"unknown command", []string{"frobnicate"}, 2, "unknown command"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := cli(t, nil, tt.args...)
			if code != tt.wantCode || !strings.Contains(stderr, tt.wantStderr) {
				t.Errorf("exit %d, stderr %q; want exit %d and stderr containing %q", code, stderr, tt.wantCode, tt.wantStderr)
			}
		})
	}
}

func TestValidateReportsEveryMistake(t *testing.T) {
	_, stderr, code := cli(t, nil, "validate", filepath.Join(testdataDir, "policies", "invalid.yaml"))
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if code != 1 || len(lines) != 8 {
		t.Errorf("exit %d with %d lines, want exit 1 and one line per mistake (8):\n%s", code, len(lines), stderr)
	}
	for _, line := range lines {
		if !strings.HasPrefix(line, filepath.Join(testdataDir, "policies", "invalid.yaml")+":") {
			t.Errorf("line %q is not file:line:col: message", line)
		}
	}
}

func TestOutputShapes(t *testing.T) {
	list := filepath.Join(testdataDir, "pods", "list.yaml")
	multi := filepath.Join(testdataDir, "pods", "multi.yaml")
	single := filepath.Join(testdataDir, "pods", "spark-driver.yaml")
	tests := []struct {
		name, file, format, wantPrefix string
		wantDocs                       int
	}{
		{"a List stays a List in YAML", list, "yaml", "apiVersion: v1\nitems:", 1},
		{"a List stays a List in JSON", list, "json", "{\n  \"apiVersion\": \"v1\",\n  \"items\"", 1},
		{"a stream stays a stream in YAML", multi, "yaml", "", 5},
		{"several documents become a List in JSON", multi, "json", "{\n  \"apiVersion\": \"v1\",\n  \"items\"", 1},
		{"one object is one JSON object", single, "json", "{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"Pod\"", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stdout, stderr, code := cli(t, nil, "mutate", "-p", examplePolicies, "-f", tt.file, "-o", tt.format)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.HasPrefix(stdout, tt.wantPrefix) {
				t.Errorf("output starts %q, want %q", stdout[:min(len(stdout), 60)], tt.wantPrefix)
			}
			if got := len(flatten(t, "out", []byte(stdout))); tt.format == "yaml" && tt.file == multi && got != tt.wantDocs {
				t.Errorf("%d documents, want %d", got, tt.wantDocs)
			}
		})
	}
}
