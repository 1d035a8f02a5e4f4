package chart

import (
	"strings"
	"testing"
)

// TestValuesRejected checks that values.schema.json and the templates' own
// checks refuse values that would render a broken release.
func TestValuesRejected(t *testing.T) {
	tests := []struct {
		name string
		set  []string
		want string // part of helm's error
	}{
		{name: "unknown top-level key (typo)", set: []string{"replicas=2"}, want: "replicas"},
		{name: "failurePolicy", set: []string{"webhook.failurePolicy=Maybe"}, want: "failurePolicy"},
		{name: "timeout over 30s", set: []string{"webhook.timeoutSeconds=31"}, want: "timeoutSeconds"},
		{name: "zero replicas", set: []string{"replicaCount=0"}, want: "replicaCount"},
		{name: "policy file key not YAML", set: []string{`policyFiles.notes\.txt=x`}, want: "policyFiles"},
		{name: "policy without name", set: []string{"policies[0].spec.eviction=safe", "policies[0].metadata.team=x"}, want: "name"},
		{name: "issuerRef without name", set: []string{"tls.certManager.issuerRef.kind=ClusterIssuer"}, want: "issuerRef"},
		{name: "bearer token secret without key", set: []string{"serviceMonitor.bearerTokenSecret.name=s"}, want: "bearerTokenSecret"},
		{name: "bad duration", set: []string{"tls.certManager.duration=90days"}, want: "duration"},
		{name: "bad digest", set: []string{"image.digest=latest"}, want: "digest"},
		{name: "rebalance interval zero", set: []string{"rebalance.interval=0s"}, want: "interval"},
		{name: "rebalance interval under 1s", set: []string{"rebalance.interval=500ms"}, want: "interval"},
		{name: "rebalance backoff zero (no loop guard)", set: []string{"rebalance.backoff=0s"}, want: "backoff"},
		{name: "rebalance backoff not a duration", set: []string{"rebalance.backoff=1 hour"}, want: "backoff"},
		{name: "rebalance unknown key", set: []string{"rebalance.maxPerMinute=5"}, want: "maxPerMinute"},
		{name: "rebalance rate over 600", set: []string{"policies[0].metadata.name=a", "policies[0].spec.pools[0].name=p", "policies[0].spec.pools[0].weight=100",
			"policies[0].spec.rebalance.after=1m", "policies[0].spec.rebalance.maxPerMinute=601"}, want: "maxPerMinute"},
		{name: "policy field unknown (schema from the Go types)", set: []string{"policies[0].metadata.name=a", "policies[0].spec.poolKeys=x"}, want: "poolKeys"},
		{name: "pool weight over 100", set: []string{"policies[0].metadata.name=a", "policies[0].spec.pools[0].name=p", "policies[0].spec.pools[0].weight=150"}, want: "weight"},
		{name: "unknown eviction", set: []string{"policies[0].metadata.name=a", "policies[0].spec.eviction=always"}, want: "eviction"},
		{name: "policies.yaml given twice", set: []string{"policies[0].metadata.name=a", "policies[0].spec.eviction=safe", `policyFiles.policies\.yaml=x`}, want: "policies.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := templateArgs(releaseName, releaseNamespace)
			for _, s := range tc.set {
				args = append(args, "--set", s)
			}
			_, err := runTool(t, "helm", "", args...)
			if err == nil {
				t.Fatalf("helm template accepted %v", tc.set)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error does not mention %q:\n%v", tc.want, err)
			}
		})
	}
}
