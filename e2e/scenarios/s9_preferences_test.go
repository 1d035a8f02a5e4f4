package scenarios_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/cluster"
	"github.com/poolpatch/poolpatch/e2e/scenarios"
)

// preferencePods is how many pods each case of scenario 9 creates.
const preferencePods = 6

// preferenceGroup is the job-group of every pod of scenario 9: the zone it
// hashes to (sameZone) is "the job's zone".
const preferenceGroup = "nightly-etl-0"

// preferenceCase is one case of scenario 9: pods of one policy of
// e2e/testdata/preferences.yaml and what the real scheduler must make of
// them.
type preferenceCase struct {
	name string
	// workload selects the policy: zone-weight-100 or zone-weight-50.
	workload string
	// deployment makes the pods a Deployment's (ReplicaSet-owned, so the
	// scheduler's default topology spreading applies) instead of bare pods.
	deployment bool
	// fillJobZone makes special01's node in the job's zone full.
	fillJobZone bool
	// loadJobZone binds a ballast pod holding half of fallback01's node in
	// the job's zone for the case.
	loadJobZone bool
	// want checks the pods per pool/zone, given the job's zone and the other.
	want func(job, other string) countCheck
}

// preferenceCases are scenario 9's cases, each in a namespace of its own.
var preferenceCases = []preferenceCase{
	{
		name: "zone weight 100 outranks the pool gap", workload: "zone-weight-100", fillJobZone: true,
		want: func(job, _ string) countCheck {
			return exactly(map[string]int{at(cluster.PoolFallback, job): preferencePods})
		},
	},
	{
		name: "zone weight 100 loses to a half-loaded node", workload: "zone-weight-100", fillJobZone: true, loadJobZone: true,
		want: func(_, other string) countCheck {
			return exactly(map[string]int{at(cluster.PoolSpecial, other): preferencePods})
		},
	},
	{
		name: "zone weight 50 stays below the pool gap", workload: "zone-weight-50", fillJobZone: true,
		want: func(_, other string) countCheck {
			return exactly(map[string]int{at(cluster.PoolSpecial, other): preferencePods})
		},
	},
	{
		name: "bare pods gather in the job's zone", workload: "zone-weight-50",
		want: func(job, _ string) countCheck {
			return exactly(map[string]int{at(cluster.PoolSpecial, job): preferencePods})
		},
	},
	{
		name: "a ReplicaSet's pods are spread over both zones", workload: "zone-weight-50", deployment: true,
		want: func(job, other string) countCheck { return inEachZone(cluster.PoolSpecial, job, other) },
	},
}

// TestPreferenceLimits is scenario 9: what a preference can and cannot do,
// measured with the real scheduler (see the README's "What a preference can
// and cannot do"). It serves e2e/testdata/preferences.yaml, runs each case
// of preferenceCases on evenly loaded nodes (scaleDedicatedNodes) and
// restores the base policies and the nodes.
func TestPreferenceLimits(t *testing.T) {
	ctx := t.Context()
	prefs, err := scenarios.ReadRepoFile("e2e", "testdata", "preferences.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Run("validate warns for zone weight 100 only", func(t *testing.T) {
		warnings, failures, err := validateWarnings(prefs)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("poolpatch validate warns: %q", warnings)
		for _, f := range failures {
			t.Error(f)
		}
	})
	t.Cleanup(func() {
		if _, err := env.SetPolicies(context.Background(), basePolicies); err != nil {
			t.Errorf("restore base policies: %v", err)
		}
	})
	if _, err := env.SetPolicies(ctx, prefs); err != nil {
		t.Fatal(err)
	}
	if err := scaleDedicatedNodes(ctx, t); err != nil {
		t.Fatal(err)
	}
	for i, c := range preferenceCases {
		t.Run(c.name, func(t *testing.T) {
			r, err := preferenceScenario(ctx, fmt.Sprintf("s9-preferences-%d", i+1), c)
			r.report(t, err)
		})
	}
}

// preferenceScenario runs one case in namespace ns: it fills special01 or
// loads fallback01 in the job's zone if asked (and undoes it afterwards),
// creates the pods, waits until all are bound and records a failure unless
// they landed as c.want says.
func preferenceScenario(ctx context.Context, ns string, c preferenceCase) (r *result, err error) {
	job := sameZone(preferenceGroup, zones)
	other := otherZone(job)
	if _, err := env.Cluster.CreateNamespace(ctx, ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
		return nil, err
	}
	undo, err := prepareNodes(ctx, ns, job, c)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, undo()) }()
	labels := map[string]string{"workload": c.workload, "job-group": preferenceGroup}
	if err := createPreferencePods(ctx, ns, labels, c.deployment); err != nil {
		return nil, err
	}
	pods, err := env.WaitPods(ctx, ns, labels, preferencePods)
	if err != nil {
		return nil, err
	}
	r = &result{pods: len(pods)}
	if err := checkCounts(ctx, r, pods, c.want(job, other)); err != nil {
		return nil, err
	}
	return r, nil
}

// createPreferencePods creates preferencePods pods labelled labels: a
// Deployment's, or bare pods such as a Spark driver creates its executors.
func createPreferencePods(ctx context.Context, ns string, labels map[string]string, deployment bool) error {
	if deployment {
		if err := env.Cluster.Client().Create(ctx, scenarios.Deployment(ns, "spread", preferencePods, labels)); err != nil {
			return fmt.Errorf("create deployment: %w", err)
		}
		return nil
	}
	for i := range preferencePods {
		pod := scenarios.BarePod(ns, fmt.Sprintf("%s-%d", preferenceGroup, i), labels)
		pod.Spec.RestartPolicy = corev1.RestartPolicyNever
		if err := env.Cluster.Client().Create(ctx, pod); err != nil {
			return fmt.Errorf("create pod %s: %w", pod.Name, err)
		}
	}
	return nil
}
