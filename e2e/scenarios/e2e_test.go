package scenarios_test

import (
	"testing"
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
