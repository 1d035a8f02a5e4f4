package manifest

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"
)

// TestMarshalYAMLAsSigsYAML: the direct YAML writer prints what
// sigs.k8s.io/yaml.Marshal (JSON, then yaml.v2) prints, on every testdata
// and public manifest and on values chosen to trip type resolution.
func TestMarshalYAMLAsSigsYAML(t *testing.T) {
	var objects []Object
	for _, f := range readTestdata(t, "pods/*", "public/*") {
		for _, d := range f.docs {
			objects = append(objects, d.Object)
		}
	}
	tricky, err := Read("tricky.yaml", []byte(`
apiVersion: v1
kind: Tricky
strings: ["yes", "no", "on", "1", "1.5", "0x1f", "~", "null", "", " lead", "a: b", "- x", "2024-01-01", "multi
  line"]
numbers: [0, -1, 42, 0.5, 1.0, 1e3, 1e21, 1.5e-7, 9007199254740993, 18446744073709551615, 123456789012345678901234567890]
other: [true, false, null, {}, []]
`))
	if err != nil {
		t.Fatal(err)
	}
	objects = append(objects, tricky[0].Object)
	for _, obj := range objects {
		want, err := yaml.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		got, err := marshalYAML(obj)
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%v: (-sigs.k8s.io/yaml +marshalYAML):\n%s", obj["kind"], diff)
		}
	}
}
