package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// apiSamples are one configuration's measurements over the rounds.
type apiSamples struct {
	seqP50, seqP90, seqP99 []float64 // ms, one per round
	rps, concP50, concP99  []float64
	apiCPU, serverCPU      []float64 // µs per create in the concurrent phase
}

// run computes the fixed patch, starts the webhook servers twice (sharing
// the CPUs with the control plane, and pinned to a CPU of their own), then
// measures every configuration of both in every round, in rotating order.
func (b *apiBench) run(ctx context.Context, r *Report) (err error) {
	if b.split, err = newCPUSplit(); err != nil {
		return err
	}
	patchFile, patch, err := b.writeFixedPatch(ctx)
	if err != nil {
		return err
	}
	shared, err := b.startWebhooks(ctx, "api", patchFile, nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, shared.stop()) }()
	pinned, err := b.startWebhooks(ctx, "api-split", patchFile, b.split)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, pinned.stop()) }()
	configs := append(b.configs(shared, patch, false), b.configs(pinned, patch, true)...)
	samples := make([]apiSamples, len(configs))
	for round := range b.e.rounds {
		for i := range configs {
			k := (i + round) % len(configs)
			if err := b.measure(ctx, configs[k], &samples[k], r, round); err != nil {
				return fmt.Errorf("%s round %d: %w", configs[k].name, round+1, err)
			}
		}
	}
	rps := map[string]float64{}
	for i, cfg := range configs {
		addAPIFigures(r, cfg, samples[i])
		rps[cfg.name] = median(samples[i].rps)
	}
	addAPIRatios(r, rps)
	hwm, err := statusKB(shared.pp.pid(), "VmHWM")
	if err != nil {
		return err
	}
	r.add("reload", "rss_peak_example_policies", float64(hwm)/1024, "MiB")
	r.note("apiserver: %d rounds, configurations interleaved; per round %d sequential creates and %d clients for %s",
		b.e.rounds, b.e.seqPods, createWorkers, b.e.concFor)
	r.note("apiserver *_split: kube-apiserver, etcd, kube-controller-manager and kube-scheduler on CPU %s; the webhook servers (GOMAXPROCS=1) and the creating clients on CPU %s",
		b.split.controlPlane, b.split.webhook)
	r.note("apiserver fixed: answers every review with poolpatch's patch for the bench pod (%d bytes), computed once with policy.Apply and policy.MarshalPatch", len(patch))
	return nil
}

// addAPIFigures records one configuration's medians.
func addAPIFigures(r *Report, cfg apiConfig, s apiSamples) {
	r.add("apiserver", "apiserver_seq_p50_"+cfg.name, median(s.seqP50), "ms")
	r.add("apiserver", "apiserver_seq_p90_"+cfg.name, median(s.seqP90), "ms")
	r.add("apiserver", "apiserver_seq_p99_"+cfg.name, median(s.seqP99), "ms")
	r.add("apiserver", "apiserver_creates_per_s_"+cfg.name, median(s.rps), "creates/s")
	r.add("apiserver", "apiserver_conc_p50_"+cfg.name, median(s.concP50), "ms")
	r.add("apiserver", "apiserver_conc_p99_"+cfg.name, median(s.concP99), "ms")
	r.add("apiserver", "apiserver_cpu_per_create_"+cfg.name, median(s.apiCPU), "us")
	if cfg.server != nil {
		r.add("apiserver", "apiserver_webhook_cpu_per_create_"+cfg.name, median(s.serverCPU), "us")
	}
}

// addAPIRatios records the throughput ratios: shared CPUs as before, and
// the targets on split CPUs, where poolpatch's cost on its own CPU shows
// only as far as it delays the API server.
func addAPIRatios(r *Report, rps map[string]float64) {
	r.add("apiserver", "apiserver_noop_vs_none", rps["noop"]/rps["none"], "ratio")
	r.add("apiserver", "apiserver_fixed_patch_vs_noop", rps["fixed"]/rps["noop"], "ratio")
	r.add("apiserver", "apiserver_map_vs_none", rps["map"]/rps["none"], "ratio")
	r.add("apiserver", "apiserver_throughput_vs_noop", rps["poolpatch"]/rps["noop"], "ratio")
	r.add("apiserver", "apiserver_throughput_vs_fixed_patch", rps["poolpatch"]/rps["fixed"], "ratio")
	r.add("apiserver", "apiserver_throughput_vs_map", rps["poolpatch"]/rps["map"], "ratio")
	r.add("apiserver", "apiserver_split_noop_vs_none", rps["noop_split"]/rps["none_split"], "ratio")
	r.add("apiserver", "apiserver_split_fixed_patch_vs_noop", rps["fixed_split"]/rps["noop_split"], "ratio")
	r.add("apiserver", "apiserver_split_vs_noop", rps["poolpatch_split"]/rps["noop_split"], "ratio")
	r.addTarget("apiserver", "apiserver_split_vs_fixed_patch", rps["poolpatch_split"]/rps["fixed_split"], "ratio", ">=", 0.95)
	r.addTarget("apiserver", "apiserver_split_vs_map", rps["poolpatch_split"]/rps["map_split"], "ratio", ">=", 1.0)
}

// measure enables cfg (on split CPUs for a split one), waits until it is
// in effect, runs its check in the first round, runs the sequential and
// the concurrent creates, verifies a stored pod and disables cfg again.
func (b *apiBench) measure(ctx context.Context, cfg apiConfig, s *apiSamples, r *Report, round int) (err error) {
	if cfg.split {
		if err := b.split.pin(); err != nil {
			return errors.Join(err, b.split.unpin())
		}
		defer func() { err = errors.Join(err, b.split.unpin()) }()
		// The Go runtimes of the control plane follow a changed CPU set
		// with GOMAXPROCS within a second or so; let them.
		if err := sleepCtx(ctx, time.Second); err != nil {
			return err
		}
	}
	if err := cfg.enable(ctx); err != nil {
		return err
	}
	if err := b.settle(ctx, cfg); err != nil {
		return errors.Join(err, cfg.disable(ctx))
	}
	if round == 0 && cfg.check != nil {
		if err := cfg.check(ctx); err != nil {
			return errors.Join(err, cfg.disable(ctx))
		}
		r.note("apiserver %s: the fixed patch equals poolpatch's answer to the review the API server sent", cfg.name)
	}
	err = b.load(ctx, cfg, s, r, round)
	return errors.Join(err, cfg.disable(ctx))
}

// load runs the measured creates and verifies the last stored pod.
func (b *apiBench) load(ctx context.Context, cfg apiConfig, s *apiSamples, r *Report, round int) error {
	for range 10 { // warm-up
		if _, err := b.create(ctx); err != nil {
			return err
		}
	}
	callsBefore, err := b.webhookCalls(ctx)
	if err != nil {
		return err
	}
	seq := make([]time.Duration, 0, b.e.seqPods)
	for range b.e.seqPods {
		began := time.Now()
		if _, err := b.create(ctx); err != nil {
			return err
		}
		seq = append(seq, time.Since(began))
	}
	cpu0, err := b.cpu(cfg)
	if err != nil {
		return err
	}
	profiled := b.profileAPIServer(ctx, cfg, round)
	conc, took, last, err := b.concurrent(ctx)
	if err != nil {
		return err
	}
	if err := <-profiled; err != nil {
		return err
	}
	cpu1, err := b.cpu(cfg)
	if err != nil {
		return err
	}
	s.apiCPU = append(s.apiCPU, float64((cpu1[0]-cpu0[0]).Microseconds())/float64(len(conc)))
	s.serverCPU = append(s.serverCPU, float64((cpu1[1]-cpu0[1]).Microseconds())/float64(len(conc)))
	stored, err := b.cs.CoreV1().Pods(benchNamespace).Get(ctx, last, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("get stored pod: %w", err)
	}
	if err := verify(stored, cfg); err != nil {
		return err
	}
	callsAfter, err := b.webhookCalls(ctx)
	if err != nil {
		return err
	}
	calls, creates := callsAfter-callsBefore, len(seq)+len(conc)
	if cfg.webhook != (calls >= creates) {
		return fmt.Errorf("the API server called the webhook %d times for %d creates", calls, creates)
	}
	if round == 0 {
		what := "unmutated, as it should be"
		if cfg.mutates {
			what = "carries the tolerations, required and preferred terms and annotations"
		}
		r.note("apiserver %s: stored pod %s %s; webhook calls %d for %d creates", cfg.name, stored.Name, what, calls, creates)
	}
	s.seqP50 = append(s.seqP50, ms(percentile(seq, 50)))
	s.seqP90 = append(s.seqP90, ms(percentile(seq, 90)))
	s.seqP99 = append(s.seqP99, ms(percentile(seq, 99)))
	s.rps = append(s.rps, float64(len(conc))/took.Seconds())
	s.concP50 = append(s.concP50, ms(percentile(conc, 50)))
	s.concP99 = append(s.concP99, ms(percentile(conc, 99)))
	fmt.Fprintf(b.e.log, "apiserver %s round %d: sequential p50 %.2f ms, %d clients %.0f creates/s p99 %.1f ms\n",
		cfg.name, round+1, s.seqP50[len(s.seqP50)-1], createWorkers, s.rps[len(s.rps)-1], s.concP99[len(s.concP99)-1])
	return nil
}

// cpu returns the CPU time of kube-apiserver and etcd, and of the webhook
// server (zero without one).
func (b *apiBench) cpu(cfg apiConfig) ([2]time.Duration, error) {
	var out [2]time.Duration
	var err error
	if out[0], err = controlPlaneCPU(); err != nil {
		return out, err
	}
	if cfg.server != nil {
		if out[1], err = cpuTime(cfg.server.pid()); err != nil {
			return out, err
		}
	}
	return out, nil
}

// concurrent creates pods from createWorkers clients for concFor and
// returns every create's latency, the time taken and one created pod's name.
func (b *apiBench) concurrent(ctx context.Context) ([]time.Duration, time.Duration, string, error) {
	var mu sync.Mutex
	var lat []time.Duration
	var last string
	var firstErr error
	var wg sync.WaitGroup
	began := time.Now()
	deadline := began.Add(b.e.concFor)
	for range createWorkers {
		wg.Go(func() {
			var mine []time.Duration
			var name string
			var err error
			for time.Now().Before(deadline) && ctx.Err() == nil {
				t := time.Now()
				pod, cerr := b.create(ctx)
				if cerr != nil {
					err = cerr
					break
				}
				mine = append(mine, time.Since(t))
				name = pod.Name
			}
			mu.Lock()
			defer mu.Unlock()
			lat = append(lat, mine...)
			if name != "" {
				last = name
			}
			if err != nil && firstErr == nil {
				firstErr = err
			}
		})
	}
	wg.Wait()
	took := time.Since(began)
	if firstErr != nil {
		return nil, 0, "", firstErr
	}
	return lat, took, last, nil
}
