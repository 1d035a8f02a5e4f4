package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/webhook"
)

// reloadScenario is scenario 6. A changed policy ConfigMap, written with
// `kubectl apply`, is served within seconds: new pods follow it. An invalid
// one is rejected by the validating webhook, kubectl showing
// policies.yaml:LINE:COL. One written while the validating webhook is
// unregistered is refused by the loader: the last good set keeps serving
// and an Event says why. The base policies are restored at the end.
func reloadScenario(ctx context.Context) (r *result, err error) {
	ns := "s6-reload"
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return nil, err
	}
	defer func() {
		if _, restoreErr := env.SetPolicies(ctx, basePolicies); restoreErr != nil {
			err = errors.Join(err, fmt.Errorf("restore base policies: %w", restoreErr))
		}
	}()
	r = &result{}
	if _, err := env.SetPolicies(ctx, withReload(cluster.PoolSpecial, 100)); err != nil {
		return nil, err
	}
	if err := checkPool(ctx, r, ns, "before", cluster.PoolSpecial); err != nil {
		return nil, err
	}
	good, err := hotReload(ctx, r, ns)
	if err != nil {
		return nil, err
	}
	if err := rejectedAtApply(ctx, r, good); err != nil {
		return nil, err
	}
	return r, rejectedByLoader(ctx, r, ns, good)
}

// hotReload applies a set that moves reload pods to fallback01, checks that
// it is served within scenarios.PolicyWait and that a new pod follows it. It
// returns the nonce of that set.
func hotReload(ctx context.Context, r *result, ns string) (string, error) {
	nonce := scenarios.NewNonce()
	began := time.Now()
	if _, err := env.ApplyPolicyConfigMap(ctx, scenarios.PolicyData(withReload(cluster.PoolFallback, 100), nonce)); err != nil {
		return "", err
	}
	if err := env.WaitServing(ctx, nonce, scenarios.PolicyWait); err != nil {
		r.errorf("changed policies not served: %v", err)
		return nonce, nil
	}
	r.reload = time.Since(began)
	return nonce, checkPool(ctx, r, ns, "after", cluster.PoolFallback)
}

// rejectedAtApply applies an invalid set through the validating webhook:
// kubectl must fail with the position of the bad weight, and the good set
// must keep serving.
func rejectedAtApply(ctx context.Context, r *result, good string) error {
	bad := withReload(cluster.PoolFallback, invalidWeight)
	out, err := env.ApplyPolicyConfigMap(ctx, scenarios.PolicyData(bad, scenarios.NewNonce()))
	if err == nil {
		r.errorf("kubectl apply of an invalid policy set succeeded")
	}
	m := positioned.FindStringSubmatch(out.Stderr)
	wantLine := lineOf(bad, "weight: "+strconv.Itoa(invalidWeight))
	switch {
	case m == nil:
		r.errorf("kubectl stderr has no policies.yaml:LINE:COL: %q", out.Stderr)
	case m[1] != strconv.Itoa(wantLine):
		r.errorf("kubectl stderr points at line %s, want %d (the weight): %q", m[1], wantLine, out.Stderr)
	}
	r.rejection = firstLine(out.Stderr, "policies.yaml:")
	served, err := env.ServedNonce(ctx)
	if err == nil && served != good {
		r.errorf("after a rejected apply the webhook serves %q, want the last good set %q", served, good)
	}
	return err
}

// rejectedByLoader writes an invalid set while the validating webhook is
// unregistered: the webhook must raise a PolicyRejected Event and keep
// serving the last good set (new pods still go to fallback01).
func rejectedByLoader(ctx context.Context, r *result, ns, good string) (err error) {
	if err := env.Cluster.UnregisterValidatingWebhook(ctx); err != nil {
		return err
	}
	defer func() { err = errors.Join(err, env.RegisterValidating(ctx)) }()
	bad := scenarios.PolicyData(withReload(cluster.PoolSpecial, invalidWeight), scenarios.NewNonce())
	if _, err := env.ApplyPolicyConfigMap(ctx, bad); err != nil {
		r.errorf("with the validating webhook unregistered, kubectl apply failed: %v", err)
		return nil
	}
	msg, err := waitEvent(ctx, webhook.ReasonPolicyRejected)
	if err != nil {
		r.errorf("%v", err)
	}
	r.event = msg
	served, err := env.ServedNonce(ctx)
	if err != nil {
		return err
	}
	if served != good {
		r.errorf("after an invalid set the webhook serves %q, want the last good set %q", served, good)
	}
	return checkPool(ctx, r, ns, "after-invalid", cluster.PoolFallback)
}
