package scenarios_test

import (
	"context"
	"testing"

	"github.com/poolpatch/poolpatch/internal/cases"
)

// The scenarios run in this order, one after another, on the shared
// control plane; each uses namespaces of its own.

// TestDeploymentKubectlApply is scenario 1.
func TestDeploymentKubectlApply(t *testing.T) {
	r, err := deploymentScenario(t.Context(), "")
	r.report(t, err)
}

// TestFallbackWhenSpecialIsFull is scenario 2.
func TestFallbackWhenSpecialIsFull(t *testing.T) {
	r, err := fallbackScenario(t.Context(), "")
	r.report(t, err)
}

// TestUntouched is scenario 3.
func TestUntouched(t *testing.T) {
	r, err := untouchedScenario(t.Context())
	r.report(t, err)
}

// TestSparkHelmDriverAndExecutors is scenario 4.
func TestSparkHelmDriverAndExecutors(t *testing.T) {
	r, err := sparkScenario(t.Context())
	r.report(t, err)
}

// TestZones is scenario 5.
func TestZones(t *testing.T) {
	r, err := zonesScenario(t.Context(), "")
	r.report(t, err)
}

// TestPolicyReloadAndValidation is scenario 6.
func TestPolicyReloadAndValidation(t *testing.T) {
	r, err := reloadScenario(t.Context())
	r.report(t, err)
}

// TestTestdataManifests is scenario 7, one subtest per case of
// testdata/cases.yaml, with testdata/policies/examples.yaml served.
func TestTestdataManifests(t *testing.T) {
	ctx := t.Context()
	examples, err := cases.Read()
	if err != nil {
		t.Fatal(err)
	}
	set, err := setTestdataPolicies(ctx)
	t.Cleanup(func() {
		if _, err := env.SetPolicies(context.Background(), basePolicies); err != nil {
			t.Errorf("restore base policies: %v", err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := createNamespaces(ctx, examples); err != nil {
		t.Fatal(err)
	}
	pods := 0
	for _, c := range examples {
		t.Run(c.Name, func(t *testing.T) {
			r, err := testdataScenario(ctx, set, c)
			r.report(t, err)
			pods += r.pods
		})
	}
	t.Logf("%d cases, %d stored pods compared with poolpatch mutate", len(examples), pods)
}
