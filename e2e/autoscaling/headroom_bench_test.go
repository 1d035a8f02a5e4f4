package autoscaling_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/poolpatch/poolpatch/e2e/autoscaler"
	"github.com/poolpatch/poolpatch/e2e/autoscaling"
	"github.com/poolpatch/poolpatch/e2e/scenarios"

	"github.com/poolpatch/poolpatch/controller"
)

// HeadroomBenchEnv names the environment variable that runs
// TestHeadroomTimeToRunning with that many rounds (make bench sets it; the
// suite skips it otherwise: it measures, it asserts nothing but completion).
const HeadroomBenchEnv = "POOLPATCH_HEADROOM_BENCH_ROUNDS"

// benchExecutors is N: the executors created at once, one chunk each.
const benchExecutors = 3

// TestHeadroomTimeToRunning measures, on an empty special01, the time from
// creating N executors to all Running, without headroom and with N chunks of
// headroom kept by the writers (CapacityBuffer mode), alternating within one
// run; it prints the median of each and their ratio.
func TestHeadroomTimeToRunning(t *testing.T) {
	rounds, _ := strconv.Atoi(os.Getenv(HeadroomBenchEnv))
	if rounds <= 0 {
		t.Skipf("set %s to run it (make bench does)", HeadroomBenchEnv)
	}
	slowRegistration(t)
	var cold, warm []time.Duration
	for i := range rounds {
		ns := fmt.Sprintf("headroom-bench-%d", i)
		if _, err := env.Cluster.CreateNamespace(t.Context(), ns, map[string]string{scenarios.EnabledLabel: "true"}); err != nil {
			t.Fatal(err)
		}
		cold = append(cold, timeToRunning(t, ns+"-a", ns, nil))
		reset(t)
		src := &headroomSource{}
		src.set(t, benchExecutors)
		stop := writer(t, controller.ModeCapacityBuffer, src, benchExecutors)
		warm = append(warm, timeToRunning(t, ns+"-b", ns, func(ctx context.Context) error {
			_, err := env.Autoscaler.WaitCounts(ctx, autoscaling.RunWait, func(c autoscaler.Counts) bool {
				return c.Nodes[special] >= 1 && c.Terminating == 0
			})
			return err
		}))
		if err := stop(); err != nil {
			t.Fatal(err)
		}
		reset(t)
	}
	without, with := median(cold), median(warm)
	t.Logf("headroom time-to-Running of %d executors on an empty %s, median of %d rounds: without %s, with %s, ratio %.2f",
		benchExecutors, special, rounds, without.Round(10*time.Millisecond), with.Round(10*time.Millisecond), float64(with)/float64(without))
	fmt.Printf("headroom_time_to_running_without %.3f s\nheadroom_time_to_running_with %.3f s\nheadroom_time_to_running_ratio %.3f\n",
		without.Seconds(), with.Seconds(), float64(with)/float64(without))
}

// timeToRunning waits for ready (the headroom Nodes), then creates N
// executors named prefix-* in ns and returns how long until all run.
func timeToRunning(t *testing.T, prefix, ns string, ready func(context.Context) error) time.Duration {
	t.Helper()
	ctx := t.Context()
	if ready != nil {
		if err := ready(ctx); err != nil {
			t.Fatalf("headroom: %v", err)
		}
	}
	began := time.Now()
	for i := range benchExecutors {
		pod := executor(ns, fmt.Sprintf("%s-%d", prefix, i))
		pod.Labels[scenarios.SparkAppLabel] = prefix
		if err := env.Cluster.Client().Create(ctx, pod); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := autoscaling.WaitRunning(ctx, env, ns, map[string]string{scenarios.SparkAppLabel: prefix}, benchExecutors); err != nil {
		t.Fatal(err)
	}
	took := time.Since(began)
	if err := autoscaling.DeletePods(ctx, env, ns, map[string]string{scenarios.SparkAppLabel: prefix}); err != nil {
		t.Fatal(err)
	}
	return took
}

// reset deletes every NodeClaim and waits for zero Nodes; the writers must
// be stopped first, or Karpenter provisions the headroom again.
func reset(t *testing.T) {
	t.Helper()
	if err := env.Autoscaler.Reset(t.Context(), resetWait); err != nil {
		t.Fatal(err)
	}
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}
