// Package cluster starts a real Kubernetes control plane on one machine for
// poolpatch's end-to-end tests and demo: etcd and kube-apiserver through
// controller-runtime's envtest (with the ServiceAccount admission plugin
// enabled again), plus kube-controller-manager and kube-scheduler, all built
// from pinned module versions into the repository's bin/ by `make tools`.
//
// There is no kubelet. The harness creates fake Nodes in three pools (tainted
// dedicated=special01 and dedicated=fallback01, and an untainted general
// pool) over two zones, marks them Ready and keeps their taints as it set
// them, so the real scheduler places pods on them; their containers never run.
//
// Only one control plane should run at a time on a small machine: run the
// packages that use this one with `go test -p 1`. Every process the harness
// starts is stopped by Stop, by StartForTest's cleanup, on SIGINT/SIGTERM when
// Options.StopOnSignal is set, and (through the parent-death signal) when the
// test binary itself dies.
package cluster
