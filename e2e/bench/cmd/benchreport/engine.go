package main

import (
	"context"
	"fmt"
)

// goBenchPattern selects the Go benchmarks `make bench` reports: the engine
// (policy), the handler against its floor (webhook), the non-matching slope
// and the reload (e2e/bench).
const goBenchPattern = `^(BenchmarkApply|BenchmarkHandler|BenchmarkNonMatching|BenchmarkReload)$`

// applySizes are the set sizes of policy.BenchmarkApply.
var applySizes = []int{1, 50, 500, 5000}

// runUnitBenchmarks runs the Go benchmarks and records sections 1, 2 and the
// reload figure of section 5.
func runUnitBenchmarks(ctx context.Context, env *env, r *Report) error {
	samples, err := runGoBench(ctx, env.root, goBenchPattern, env.count, env.benchtime, env.log,
		"./policy", "./webhook", "./e2e/bench")
	if err != nil {
		return err
	}
	get := func(name string) (float64, float64, error) {
		ns, allocs, ok := medianNs(samples, name)
		if !ok {
			return 0, 0, fmt.Errorf("benchmark %s did not run", name)
		}
		return ns, allocs, nil
	}
	for _, n := range applySizes {
		ns, allocs, err := get(fmt.Sprintf("BenchmarkApply/policies=%d", n))
		if err != nil {
			return err
		}
		name := fmt.Sprintf("engine_apply_%d_policies", n)
		r.add("engine", name, ns/1000, "us/op")
		if n == 500 {
			r.addTarget("engine", "engine_500_policies_us", ns/1000, "us", "<=", 25)
		}
		r.add("engine", name+"_allocs", allocs, "allocs/op")
	}
	one, _, err := get("BenchmarkNonMatching/policies=1")
	if err != nil {
		return err
	}
	many, _, err := get("BenchmarkNonMatching/policies=1001")
	if err != nil {
		return err
	}
	r.addTarget("engine", "engine_nonmatching_policy", (many-one)/1000, "ns", "<=", 50)

	floor, floorAllocs, err := get("BenchmarkHandler/floor")
	if err != nil {
		return err
	}
	handler, handlerAllocs, err := get("BenchmarkHandler/poolpatch")
	if err != nil {
		return err
	}
	r.add("handler", "handler_poolpatch", handler/1000, "us/op")
	r.add("handler", "handler_poolpatch_allocs", handlerAllocs, "allocs/op")
	r.add("handler", "handler_floor", floor/1000, "us/op")
	r.add("handler", "handler_floor_allocs", floorAllocs, "allocs/op")
	r.addTarget("handler", "handler_over_floor", handler/floor, "ratio", "<=", 1.5)

	reload, _, err := get("BenchmarkReload")
	if err != nil {
		return err
	}
	r.addTarget("reload", "reload_1000_policies", reload/1e6, "ms", "<=", 100)
	return nil
}
