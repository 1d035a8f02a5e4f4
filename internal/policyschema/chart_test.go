package policyschema

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"
)

// TestChartValuesSchema compiles the chart's values.schema.json with the
// validator Helm 4 uses and checks its `policies` value: the example
// policies pass without apiVersion and kind (the chart fills them in), a
// policy the loader refuses does not. e2e/chart runs helm itself on it.
func TestChartValuesSchema(t *testing.T) {
	f, err := os.Open(repoPath(t, "charts", "poolpatch", "values.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sch := compileJSON(t, "values.schema.json", f)
	valuesOf := func(t *testing.T, policies []any) any {
		t.Helper()
		data, err := os.ReadFile(repoPath(t, "charts", "poolpatch", "values.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		var values map[string]any
		if err := yaml.Unmarshal(data, &values); err != nil {
			t.Fatal(err)
		}
		values["policies"] = policies
		raw, err := json.Marshal(values)
		if err != nil {
			t.Fatal(err)
		}
		v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	data, err := os.ReadFile(repoPath(t, "testdata", "policies", "examples.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	docs, err := splitDocuments(data)
	if err != nil {
		t.Fatal(err)
	}
	var policies []any
	for _, d := range docs {
		var p map[string]any
		if err := d.node.Decode(&p); err != nil {
			t.Fatal(err)
		}
		delete(p, "apiVersion")
		delete(p, "kind")
		policies = append(policies, p)
	}
	if err := sch.Validate(valuesOf(t, policies)); err != nil {
		t.Fatalf("the chart's schema rejects the example policies: %v", err)
	}
	bad := map[string]any{"metadata": map[string]any{"name": "x"}, "spec": map[string]any{"pools": []any{map[string]any{"name": "p", "weight": 150}}}}
	err = sch.Validate(valuesOf(t, append(policies, bad)))
	if err == nil || !strings.Contains(err.Error(), "150") {
		t.Errorf("the chart's schema accepts a pool weight of 150 (err %v)", err)
	}
	t.Logf("%d example policies accepted as chart values", len(policies))

	// The chart tests' values files, merged over the defaults as helm does.
	for _, path := range globs(t, "e2e/chart/testdata/values/*.yaml") {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var override map[string]any
		if err := yaml.Unmarshal(data, &override); err != nil {
			t.Fatal(err)
		}
		merged := merge(valuesOf(t, policies).(map[string]any), jsonValue(t, override))
		if err := sch.Validate(merged); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

// jsonValue converts a YAML value to the validator's JSON value.
func jsonValue(t *testing.T, v map[string]any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	return out.(map[string]any)
}

// merge lays override over base, maps merged key by key, as helm merges
// values files over the chart's defaults.
func merge(base, override map[string]any) map[string]any {
	for k, v := range override {
		if bm, ok := base[k].(map[string]any); ok {
			if om, ok := v.(map[string]any); ok {
				base[k] = merge(bm, om)
				continue
			}
		}
		base[k] = v
	}
	return base
}
