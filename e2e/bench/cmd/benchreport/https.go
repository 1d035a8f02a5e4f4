package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// httpsWorkers is the closed-loop concurrency; httpsRate the open-loop rate.
const (
	httpsWorkers = 32
	httpsRate    = 200
)

// runHTTPS measures section 3: poolpatch serve (example policies, no
// cluster) next to the no-op webhook, both as separate processes on the same
// TLS stack, driven by the same keep-alive client, rounds interleaved.
func runHTTPS(ctx context.Context, e *env, r *Report) (err error) {
	pprof, err := httpsPprofAddrs(e)
	if err != nil {
		return err
	}
	pp, err := startPoolpatch(ctx, e, "https-poolpatch", e.examples, "", nil, pprofFlag(pprof[0])...)
	if err != nil {
		return err
	}
	pp.pprof = pprof[0]
	defer func() { err = errors.Join(err, pp.stop()) }()
	noop, err := startNoop(ctx, e, "https-noop", nil, pprofFlag(pprof[1])...)
	if err != nil {
		return err
	}
	noop.pprof = pprof[1]
	defer func() { err = errors.Join(err, noop.stop()) }()
	servers := []*server{pp, noop}
	for _, s := range servers { // warm-up: connections, caches, GC pacing
		if _, _, err := closedLoop(ctx, e.client, s.url, e.review, httpsWorkers, e.warmup); err != nil {
			return fmt.Errorf("%s warm-up: %w", s.name, err)
		}
	}
	rps := map[*server][]float64{}
	cpu := map[*server][]float64{}
	clientCPU := map[*server][]float64{}
	for round := range e.rounds {
		for i := range servers {
			s := servers[(i+round)%len(servers)] // alternate who goes first
			got, err := closedRound(ctx, e, s, round)
			if err != nil {
				return err
			}
			rps[s] = append(rps[s], got.rps)
			cpu[s] = append(cpu[s], got.cpu)
			clientCPU[s] = append(clientCPU[s], got.clientCPU)
			fmt.Fprintf(e.log, "https closed loop %s round %d: %.0f req/s, %.1f us CPU/req (the clients %.1f)\n",
				s.name, round+1, got.rps, got.cpu, got.clientCPU)
		}
	}
	lat := map[*server][]time.Duration{}
	for round := range e.rounds {
		for i := range servers {
			s := servers[(i+round)%len(servers)]
			l, err := openLoop(ctx, e.client, s.url, e.review, httpsRate, e.openFor)
			if err != nil {
				return fmt.Errorf("%s: %w", s.name, err)
			}
			lat[s] = append(lat[s], l...)
		}
	}
	for _, s := range []struct {
		srv  *server
		name string
	}{{pp, "poolpatch"}, {noop, "noop"}} {
		r.add("https", "https_rps_"+s.name, median(rps[s.srv]), "req/s")
		r.add("https", "https_cpu_per_req_"+s.name, median(cpu[s.srv]), "us")
		r.add("https", "https_client_cpu_per_req_"+s.name, median(clientCPU[s.srv]), "us")
	}
	r.addTarget("https", "https_throughput_vs_noop", median(rps[pp])/median(rps[noop]), "ratio", ">=", 0.75)
	for _, s := range []struct {
		srv  *server
		name string
	}{{pp, "poolpatch"}, {noop, "noop"}} {
		l := lat[s.srv]
		r.add("https", "https_open_p50_"+s.name, ms(percentile(l, 50)), "ms")
		if s.srv == pp {
			r.addTarget("https", "https_open_p99_"+s.name, ms(percentile(l, 99)), "ms", "<=", 5)
		} else {
			r.add("https", "https_open_p99_"+s.name, ms(percentile(l, 99)), "ms")
		}
		r.add("https", "https_open_max_"+s.name, ms(maxDuration(l)), "ms")
	}
	r.note("https: closed loop %d clients x %s x %d rounds per server, medians; open loop %d req/s x %s x %d rounds, percentiles over all %d requests per server",
		httpsWorkers, e.closedFor, e.rounds, httpsRate, e.openFor, e.rounds, len(lat[pp]))
	return nil
}

// roundFigures are one closed-loop round's throughput and CPU time per
// request, of the server and of this process's clients.
type roundFigures struct{ rps, cpu, clientCPU float64 }

// closedRound runs one closed-loop round against s (CPU-profiling it in
// the first round with -https-profiles) and measures it.
func closedRound(ctx context.Context, e *env, s *server, round int) (roundFigures, error) {
	var before, after [2]time.Duration
	for i, pid := range []int{s.pid(), os.Getpid()} {
		var err error
		if before[i], err = cpuTime(pid); err != nil {
			return roundFigures{}, err
		}
	}
	profiled := profileHTTPS(ctx, e, s, round)
	n, took, err := closedLoop(ctx, e.client, s.url, e.review, httpsWorkers, e.closedFor)
	if err != nil {
		return roundFigures{}, fmt.Errorf("%s: %w", s.name, err)
	}
	if err := <-profiled; err != nil {
		return roundFigures{}, err
	}
	for i, pid := range []int{s.pid(), os.Getpid()} {
		if after[i], err = cpuTime(pid); err != nil {
			return roundFigures{}, err
		}
	}
	perReq := func(i int) float64 { return float64((after[i] - before[i]).Microseconds()) / float64(n) }
	return roundFigures{rps: float64(n) / took.Seconds(), cpu: perReq(0), clientCPU: perReq(1)}, nil
}
