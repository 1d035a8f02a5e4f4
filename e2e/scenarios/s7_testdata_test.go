package scenarios_test

import (
	"context"
	"fmt"

	"github.com/poolpatch/poolpatch/internal/cases"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/internal/manifest"
	"github.com/poolpatch/poolpatch/policy"
)

// testdataScenario is scenario 7 for one case of testdata/cases.yaml: every
// pod and workload of its manifest is created through the API server with
// the webhook registered and must be accepted; each stored pod (for a
// workload: each pod its controllers made) must carry exactly the
// tolerations, affinity, annotations, emptyDir sizeLimits and init
// containers of `poolpatch mutate`'s output (internal/manifest, the same
// policy set, namespace and labels).
func testdataScenario(ctx context.Context, set *policy.Set, c cases.Case) (*result, error) {
	objects, err := readObjects(c.File)
	if err != nil {
		return nil, err
	}
	r := &result{}
	opts := manifest.Options{Set: set, DefaultNamespace: "default", NamespaceLabels: caseNamespaceLabels(c)}
	for _, obj := range objects {
		kind, _ := obj["kind"].(string)
		if !creatable[kind] {
			r.skipped = append(r.skipped, kind)
			continue
		}
		out, err := manifest.MutateObject(obj, opts)
		if err != nil {
			return nil, fmt.Errorf("poolpatch mutate %s: %w", c.File, err)
		}
		want, err := expectedPod(out.Mutated)
		if err != nil {
			return nil, err
		}
		if err := ensureServiceAccount(ctx, namespaceOf(obj), &want.Spec); err != nil {
			return nil, err
		}
		if err := createAndCompare(ctx, r, obj, want); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// createAndCompare creates obj, records a failure if the API server
// refuses it, and compares each of its stored pods with want.
func createAndCompare(ctx context.Context, r *result, obj manifest.Object, want *corev1.Pod) error {
	stored, err := createObject(ctx, obj)
	if err != nil {
		r.errorf("not accepted: %v", err)
		return nil
	}
	pods, daemonPods, err := podsOf(ctx, stored)
	if err != nil {
		return err
	}
	wantFields := fieldsOf(want)
	if daemonPods {
		wantFields = withoutRequired(wantFields)
	}
	for i := range pods {
		r.pods++
		got := storedFields(&pods[i], wantFields, daemonPods)
		if diff := fieldsDiff(wantFields, got); diff != "" {
			r.errorf("%s %s: stored pod %s differs from poolpatch mutate (-mutate +stored):\n%s",
				stored.GetKind(), stored.GetName(), pods[i].Name, diff)
		}
	}
	return nil
}

// setTestdataPolicies serves testdata/policies/examples.yaml and returns the
// same set as the webhook loaded it, probe policy included (it matches only
// probe pods).
func setTestdataPolicies(ctx context.Context) (*policy.Set, error) {
	examples, err := scenarios.ReadRepoFile("testdata", "policies", "examples.yaml")
	if err != nil {
		return nil, err
	}
	nonce, err := env.SetPolicies(ctx, examples)
	if err != nil {
		return nil, err
	}
	set, err := policy.LoadConfigMap(scenarios.PolicyData(examples, nonce))
	if err != nil {
		return nil, fmt.Errorf("load examples: %w", err)
	}
	return set, nil
}
