// Package bench holds poolpatch's benchmarks beyond the unit benchmarks of
// policy and webhook: the cost of a policy that cannot match and of a policy
// reload (Go benchmarks in this package), and, in cmd/benchreport, the
// process- and harness-driven measurements `make bench` runs: HTTPS
// throughput and latency next to a no-op webhook (noop/), Pod creates
// through the real API server in five admission configurations (one a
// webhook answering a fixed, precomputed patch), with the CPUs shared and
// split between control plane and webhooks, the memory
// of a server with a large cache, and the offline `poolpatch mutate`.
//
// Nothing here runs under `make test`: the benchmarks need -bench, and
// benchreport is a program.
package bench
