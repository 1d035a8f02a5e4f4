package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestValidateHostile runs `poolpatch validate` on every hostile policy
// file, as written and wrapped in a ConfigMap manifest as deployed: exit 1,
// every stderr line file:line:col: message, at most 100 errors per source
// and a count, so the output stays proportionate whatever the input.
func TestValidateHostile(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(testdataDir, "hostile", "policies", "*"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no hostile policies: %v", err)
	}
	for _, p := range paths {
		t.Run(filepath.Base(p), func(t *testing.T) {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			checkValidateOutput(t, p, p)
			if !strings.ContainsFunc(string(data), func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' }) {
				cm := filepath.Join(t.TempDir(), "cm.yaml")
				writeConfigMap(t, cm, map[string]string{"policies.yaml": string(data)})
				checkValidateOutput(t, cm, cm+"[policies.yaml]")
			}
		})
	}
}

func checkValidateOutput(t *testing.T, path, source string) {
	t.Helper()
	stdout, stderr, code := cli(t, nil, "validate", path)
	if code != 1 || stdout != "" {
		t.Fatalf("exit %d, stdout %q; want exit 1 and nothing on stdout", code, stdout)
	}
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	if len(lines) > 101 {
		t.Errorf("%d lines, want at most 100 errors and a count", len(lines))
	}
	position := regexp.MustCompile(`^` + regexp.QuoteMeta(source) + `:[1-9]\d*:[1-9]\d*: \S`)
	for _, line := range lines {
		if !position.MatchString(line) || len(line) > len(source)+600 {
			t.Errorf("line not file:line:col: message of a bounded length: %.300q", line)
		}
	}
}

// TestValidateConfigMapAliases: aliases in a ConfigMap manifest's data
// cannot make more policy text than the API server would take in one
// ConfigMap.
func TestValidateConfigMapAliases(t *testing.T) {
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\ndata:\n  a.yaml: &v \"# ")
	b.WriteString(strings.Repeat("x", 64<<10))
	b.WriteString("\"\n")
	for i := range 100 {
		b.WriteString("  k" + strings.Repeat("0", 3) + string(rune('a'+i%26)) + string(rune('a'+i/26)) + ".yaml: *v\n")
	}
	path := filepath.Join(t.TempDir(), "cm.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stderr, code := cli(t, nil, "validate", path)
	if want := path + ":1:1: ConfigMap data of "; code != 1 || !strings.HasPrefix(stderr, want) {
		t.Errorf("exit %d, stderr %.200q; want exit 1 and %q", code, stderr, want)
	}
}

// writeConfigMap writes a ConfigMap manifest with data, each value a
// literal block.
func writeConfigMap(t *testing.T, path string, data map[string]string) {
	t.Helper()
	var b strings.Builder
	b.WriteString("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: poolpatch-policies}\ndata:\n")
	for key, value := range data {
		b.WriteString("  " + key + ": |-\n")
		for _, line := range strings.Split(value, "\n") {
			b.WriteString("    " + line + "\n")
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
