package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/policy"
)

// The line of the web policy the hot-reload step edits: its pools, in
// preference order.
const (
	webPools       = "pools: [{name: special01, weight: 100}, {name: fallback01, weight: 10}]"
	webPoolsEdited = "pools: [{name: fallback01, weight: 100}, {name: special01, weight: 10}]"
)

// policiesFile is the policy set the demo serves, relative to the repository.
var policiesFile = []string{"e2e", "testdata", "policies.yaml"}

// loadPolicies starts serving e2e/testdata/policies.yaml.
func (d *demo) loadPolicies(ctx context.Context) error {
	d.step("poolpatch webhook running in this process at %s", d.env.Server.URL)
	d.say("registered as the Helm chart registers it: Pod CREATE in namespaces labelled %s=true", scenarios.EnabledLabel)
	text, err := scenarios.ReadRepoFile(policiesFile...)
	if err != nil {
		return err
	}
	set, err := policy.Load(policy.Source{Name: scenarios.PolicyKey, Data: []byte(text)})
	if err != nil {
		return fmt.Errorf("demo policies: %w", err)
	}
	if _, err := d.env.SetPolicies(ctx, text); err != nil {
		return err
	}
	d.say("policies (%s, applied with kubectl as ConfigMap %s/%s):",
		strings.Join(policiesFile, "/"), scenarios.SystemNamespace, scenarios.PolicyConfigMapName)
	d.say("  %s", strings.Join(set.Names(), ", "))
	return nil
}

// hotReload edits the web policy to prefer fallback01, applies it with
// kubectl, and shows new web pods follow it while special01 has room.
func (d *demo) hotReload(ctx context.Context) error {
	d.step("Hot reload: edit the policy ConfigMap so that web prefers fallback01")
	if err := d.env.Cluster.ResetPool(ctx, "special01"); err != nil {
		return err
	}
	d.say("special01 has room again. The web policy's pools change from")
	d.say("  %s", webPools)
	d.say("to")
	d.say("  %s", webPoolsEdited)
	text, err := scenarios.ReadRepoFile(policiesFile...)
	if err != nil {
		return err
	}
	if !strings.Contains(text, webPools) {
		return fmt.Errorf("%s no longer contains %q", strings.Join(policiesFile, "/"), webPools)
	}
	nonce := scenarios.NewNonce()
	began := time.Now()
	out, err := d.env.ApplyPolicyConfigMap(ctx, scenarios.PolicyData(strings.Replace(text, webPools, webPoolsEdited, 1), nonce))
	if err != nil {
		return err
	}
	d.say("$ kubectl apply -f policies.yaml  ->  %s", strings.TrimSpace(out.Stdout))
	if err := d.env.WaitServing(ctx, nonce, scenarios.PolicyWait); err != nil {
		return err
	}
	d.say("the webhook serves the new set %s after the apply, no restart", time.Since(began).Round(time.Millisecond))
	return d.scaleWeb(ctx, webReplicas+4, "two more web replicas now land on fallback01, though special01 has room:")
}
