package scenarios_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// TestWriteTable checks the placement table's columns and empty cells.
func TestWriteTable(t *testing.T) {
	var b strings.Builder
	err := scenarios.WriteTable(&b, []scenarios.Placement{
		{Namespace: "demo", Pod: "web-1", Node: "special01-zone-a-0", Pool: "special01", Zone: "zone-a", Policies: "web"},
		{Namespace: "demo", Pod: "pending"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := "NAMESPACE  POD      NODE                POOL       ZONE    POLICIES\n" +
		"demo       web-1    special01-zone-a-0  special01  zone-a  web\n" +
		"demo       pending  -                   -          -       -\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}

// TestPolicyData checks that the probe policy comes after the policies under
// test, so that it never decides a setting for them.
func TestPolicyData(t *testing.T) {
	data := scenarios.PolicyData("x", "n1")
	if data[scenarios.PolicyKey] != "x" || !strings.Contains(data[scenarios.ProbeKey], `"n1"`) {
		t.Errorf("policy data %v", data)
	}
	if scenarios.PolicyKey >= scenarios.ProbeKey {
		t.Errorf("%s sorts after %s: the probe policy would come first", scenarios.PolicyKey, scenarios.ProbeKey)
	}
}
