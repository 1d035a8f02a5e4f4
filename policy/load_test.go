package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestInvalidExample checks that every mistake in testdata/policies/invalid.yaml
// is reported once, at the position its header comment promises.
func TestInvalidExample(t *testing.T) {
	path := filepath.Join("..", "testdata", "policies", "invalid.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	expected := regexp.MustCompile(`(?m)^#\s+invalid\.yaml:(\d+:\d+):`).FindAllStringSubmatch(string(data), -1)
	var want []string
	for _, m := range expected {
		want = append(want, "invalid.yaml:"+m[1])
	}
	_, err = Load(Source{Name: "invalid.yaml", Data: data})
	var list ErrorList
	if !errors.As(err, &list) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("Load error = %v, want an ErrorList wrapping ErrInvalid", err)
	}
	var got []string
	for _, e := range list {
		got = append(got, e.Pos.String())
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("error positions (-want +got):\n%s\nerrors:\n%v", diff, err)
	}
}

func TestLoadErrors(t *testing.T) {
	head := "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p}\n"
	tests := []struct {
		name string
		yaml string
		want []string // "line:col: substring"
	}{
		{"syntax error", "spec: [\n", []string{"1:1: did not find expected node content"}},
		{"wrong kind", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n", []string{"1:1: expected apiVersion"}},
		{"string where a mapping belongs", head + "spec: hello\n", []string{"4:7: spec: expected a mapping"}},
		{"unquoted bool annotation", head + "spec:\n  annotations: {a: true}\n", []string{`5:20: spec.annotations.a: expected a string, got bool "true"`}},
		{"unknown toleration field", head + "spec:\n  tolerations:\n    - {key: a, operator: Exists, colour: red}\n", []string{`6:34: spec.tolerations[0]: unknown field "colour"`}},
		{"several mistakes in one policy", head + "spec:\n  pools: [{name: a, weight: 0}, {name: a, weight: 101}]\n  eviction: sometimes\n", []string{
			"5:29: policy p: spec.pools[0].weight: weight 0 outside 1-100", `5:40: policy p: spec.pools[1].name: duplicate pool "a"`,
			"5:51: policy p: spec.pools[1].weight: weight 101 outside 1-100", `6:13: policy p: spec.eviction: unknown eviction "sometimes"`}},
		{"toleration the API server rejects", head + "spec:\n  tolerations: [{operator: Equal, value: x}, {key: k, operator: Exists, value: v}, {key: k, effect: NoSchedule, tolerationSeconds: 5}]\n", []string{
			"operator must be Exists when key is empty", "must be empty when operator is Exists", "tolerationSeconds: only valid with effect NoExecute"}},
		{"reserved annotation", head + "spec:\n  annotations: {poolpatch.io/policies: x}\n", []string{"5:17: policy p: spec.annotations.poolpatch.io/policies: reserved"}},
		{"annotations over the API server's size limit", head + "spec:\n  annotations: {a: " + strings.Repeat("x", 256<<10) + "}\n",
			[]string{"5:17: policy p: spec.annotations.a: the set's annotations reach 262167 bytes"}},
		{"annotations of two policies over the limit together", head + "spec:\n  annotations: {a: " + strings.Repeat("x", 130<<10) + "}\n---\n" +
			strings.Replace(head, "name: p", "name: q", 1) + "spec:\n  annotations: {b: " + strings.Repeat("y", 130<<10) + "}\n",
			[]string{"11:17: policy q: spec.annotations.b: the set's annotations reach 266266 bytes on a pod this policy and the ones before it match"}},
		{"poolpatch.io/policies counts", head + "spec:\n  annotations: {a: " + strings.Repeat("x", 256<<10-1-len("poolpatch.io/policies")) + "}\n",
			[]string{"5:17: policy p: spec.annotations.a: the set's annotations reach 262145 bytes"}},
		{"Audit policies write no annotations", head + "spec:\n  annotations: {a: " + strings.Repeat("x", 130<<10) + "}\n---\n" +
			strings.Replace(head, "name: p", "name: q", 1) + "spec:\n  mode: Audit\n  annotations: {b: " + strings.Repeat("y", 130<<10) + "}\n---\n" +
			strings.Replace(head, "name: p", "name: r", 1) + "spec:\n  annotations: {a: " + strings.Repeat("z", 127<<10) + "}\n",
			nil},
		{"sameZoneWeight alone", head + "spec:\n  zones: {sameZoneWeight: 10}\n", []string{"set without sameZoneBy"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantLoadErrors(t, tt.yaml, tt.want) })
	}
}

// wantLoadErrors loads stream and checks its errors, in order, each by a
// "line:col: substring" of its message; want nil means no error.
func wantLoadErrors(t *testing.T, stream string, want []string) {
	t.Helper()
	_, err := Load(Source{Name: "f.yaml", Data: []byte(stream)})
	if want == nil {
		if err != nil {
			t.Fatalf("Load error = %.300v, want none", err)
		}
		return
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("Load error = %v, want an ErrorList", err)
	}
	if len(list) != len(want) {
		t.Fatalf("got %d errors, want %d:\n%v", len(list), len(want), err)
	}
	for i, w := range want {
		if got := strings.TrimPrefix(list[i].Error(), "f.yaml:"); !strings.Contains(got, w) {
			t.Errorf("error %d = %q, want it to contain %q", i, got, w)
		}
	}
}

func TestLoadConfigMapOrderAndGeneration(t *testing.T) {
	doc := func(name string) string {
		return "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: " + name + "}\nspec: {}\n"
	}
	data := map[string]string{
		"20-b.yaml": doc("b") + "---\n" + doc("c"),
		"10-a.yml":  doc("a"),
		"README.md": "not a policy",
	}
	set, err := LoadConfigMap(data)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"a", "b", "c"}, set.Names()); diff != "" {
		t.Errorf("policy order (-want +got):\n%s", diff)
	}
	again, _ := LoadConfigMap(data)
	if again.Generation != set.Generation {
		t.Errorf("generation is not stable: %s then %s", set.Generation, again.Generation)
	}
	data["10-a.yml"] = doc("a2")
	changed, _ := LoadConfigMap(data)
	if changed.Generation == set.Generation {
		t.Error("generation did not change with the content")
	}
	data["30-broken.yaml"] = "spec: ["
	if broken, err := LoadConfigMap(data); err == nil || broken != nil {
		t.Errorf("a broken key must reject the whole set, got %v, %v", broken, err)
	} else if !strings.HasPrefix(err.Error(), "30-broken.yaml:") {
		t.Errorf("error %q does not name the ConfigMap key", err)
	}
	empty, err := LoadConfigMap(nil)
	if err != nil || empty.Len() != 0 {
		t.Errorf("an empty ConfigMap must load as no policies, got %v, %v", empty, err)
	}
}

func TestExamplesLoad(t *testing.T) {
	for _, name := range []string{"examples.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "policies", name))
		if err != nil {
			t.Fatal(err)
		}
		set, err := Load(Source{Name: name, Data: data})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if set.Len() == 0 || len(set.Warnings) != 0 {
			t.Errorf("%s: %d policies, warnings %q; want some policies and no warnings", name, set.Len(), set.Warnings)
		}
	}
}

// TestAliasBudgetPerSet: the alias bound holds for a whole set, so a
// ConfigMap of many keys, each under it, is refused like one file over it.
func TestAliasBudgetPerSet(t *testing.T) {
	doc := "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: p%d}\nspec:\n" +
		"  tolerations: &x [&t {key: k, operator: Exists}" + strings.Repeat(",*t", 99) + "]\n" +
		"  pools: [{name: a, weight: 1, tolerations: *x}]\n"
	data := map[string]string{}
	for i := range 40 {
		data[fmt.Sprintf("k%02d.yaml", i)] = fmt.Sprintf(doc, i)
	}
	_, err := LoadConfigMap(data)
	var list ErrorList
	if !errors.As(err, &list) || len(list) != 1 || !strings.Contains(list[0].Error(), "aliases expand to more than 10000 nodes") {
		t.Fatalf("LoadConfigMap = %.500v, want one alias error", err)
	}
	if want := "k12.yaml:6:45: "; !strings.HasPrefix(list[0].Error(), want) {
		t.Errorf("error %q, want it at %s", list[0].Error(), want)
	}
}
