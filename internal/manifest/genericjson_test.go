package manifest

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
)

// TestAppendJSONAsMarshal checks that appendJSON's text decodes, generically
// and into a typed pod, as json.Marshal's does, on tricky scalars and on
// every pod of testdata.
func TestAppendJSONAsMarshal(t *testing.T) {
	values := []any{
		Object{"a": []any{nil, true, false, 0.0, math.Copysign(0, -1), -3.0, 1e17, 1.5, 1e21, 1e-7, 123456789.0, json.Number("9223372036854775807")},
			"s": []any{"", "<&>", "caf\u00e9", "\xff", "a\"b\\c\n\t\x01", "\u2028"}, "": Object{}},
		Object{"spec": Object{"tolerations": Object{"key": "a"}, "priority": "high", "hostNetwork": 1e21}},
	}
	for _, f := range readTestdata(t, "pods/*.yaml") {
		for _, obj := range Objects(f.docs) {
			values = append(values, obj)
		}
	}
	if len(values) < 2 {
		t.Fatal("no pods in testdata")
	}
	for i, v := range values {
		got, err := appendJSON(nil, v)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(v)
		var g, w any
		if err := json.Unmarshal(got, &g); err != nil {
			t.Fatalf("value %d: %s: %v", i, got, err)
		}
		_ = json.Unmarshal(want, &w)
		if diff := cmp.Diff(w, g); diff != "" {
			t.Errorf("value %d decodes differently (-json.Marshal +appendJSON):\n%s", i, diff)
		}
		var gp, wp corev1.Pod
		gerr, werr := json.Unmarshal(got, &gp), json.Unmarshal(want, &wp)
		if diff := cmp.Diff(wp, gp); diff != "" || (gerr == nil) != (werr == nil) || gerr != nil && gerr.Error() != werr.Error() {
			t.Errorf("value %d: typed decodes differ (errors %v, %v):\n%s", i, werr, gerr, diff)
		}
	}
}
