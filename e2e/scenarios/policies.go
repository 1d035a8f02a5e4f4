package scenarios

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// Keys of the policy ConfigMap. The webhook reads every .yaml key in sorted
// order, so the probe policy comes last and never decides a setting.
const (
	// PolicyKey holds the policies under test; errors are positioned as
	// policies.yaml:LINE:COL.
	PolicyKey = "policies.yaml"
	// ProbeKey holds the probe policy.
	ProbeKey = "zz-e2e-probe.yaml"
)

// The probe: a dry-run pod in ProbeNamespace labelled ProbeLabel=true gets
// ProbeAnnotation set to the nonce of the policy set the webhook serves.
const (
	ProbeNamespace  = "poolpatch-probe"
	ProbeLabel      = "e2e.poolpatch.io/probe"
	ProbeAnnotation = "e2e.poolpatch.io/nonce"
)

// PolicyWait bounds how long SetPolicies waits for the webhook to serve a
// new set: the design promises seconds.
const PolicyWait = 20 * time.Second

// probePolicy is the probe PoolPolicy carrying nonce.
func probePolicy(nonce string) string {
	return `apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata:
  name: e2e-probe
spec:
  match:
    namespaces: [` + ProbeNamespace + `]
    podSelector: {matchLabels: {` + ProbeLabel + `: "true"}}
  annotations:
    ` + ProbeAnnotation + `: "` + nonce + `"
`
}

// PolicyData is the policy ConfigMap's data: policies under PolicyKey and
// the probe policy with nonce under ProbeKey.
func PolicyData(policies, nonce string) map[string]string {
	return map[string]string{PolicyKey: policies, ProbeKey: probePolicy(nonce)}
}

// NewNonce returns a fresh random nonce.
func NewNonce() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SetPolicies applies policies (a PoolPolicy stream) as the policy ConfigMap
// with `kubectl apply` and waits until the webhook serves them. It returns
// the nonce of the new set.
func (e *Env) SetPolicies(ctx context.Context, policies string) (string, error) {
	nonce := NewNonce()
	if _, err := e.ApplyPolicyConfigMap(ctx, PolicyData(policies, nonce)); err != nil {
		return "", err
	}
	return nonce, e.WaitServing(ctx, nonce, PolicyWait)
}

// ApplyPolicyConfigMap writes the policy ConfigMap with data through
// `kubectl apply -f -`, labelled for the validating webhook, and returns
// what kubectl printed.
func (e *Env) ApplyPolicyConfigMap(ctx context.Context, data map[string]string) (ToolOutput, error) {
	cm := &corev1.ConfigMap{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "ConfigMap"},
		ObjectMeta: metav1.ObjectMeta{Name: PolicyConfigMapName, Namespace: SystemNamespace,
			Labels: map[string]string{cluster.PolicyLabel: "true"}},
		Data: data,
	}
	manifest, err := yaml.Marshal(cm)
	if err != nil {
		return ToolOutput{}, fmt.Errorf("policy ConfigMap: %w", err)
	}
	return e.Kubectl(ctx, bytes.NewReader(manifest), "apply", "-f", "-")
}

// WaitServing waits until a dry-run probe pod comes back with nonce.
func (e *Env) WaitServing(ctx context.Context, nonce string, timeout time.Duration) error {
	var last string
	err := wait.PollUntilContextTimeout(ctx, 200*time.Millisecond, timeout, true, func(ctx context.Context) (bool, error) {
		got, err := e.ServedNonce(ctx)
		last = got
		return err == nil && got == nonce, nil
	})
	if err != nil {
		return fmt.Errorf("webhook did not serve policy set %s within %s (serves %q): %w", nonce, timeout, last, err)
	}
	return nil
}

// ServedNonce is the nonce of the policy set the webhook serves now, read
// from a dry-run probe pod ("" when it serves none with a probe).
func (e *Env) ServedNonce(ctx context.Context) (string, error) {
	pod := BarePod(ProbeNamespace, "probe", map[string]string{ProbeLabel: "true"})
	if err := e.Cluster.Client().Create(ctx, pod, client.DryRunAll); err != nil {
		return "", fmt.Errorf("dry-run probe pod: %w", err)
	}
	return pod.Annotations[ProbeAnnotation], nil
}
