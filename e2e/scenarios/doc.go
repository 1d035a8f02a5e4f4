// Package scenarios proves poolpatch end to end: one real control plane
// (package e2e/cluster: etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler and fake Nodes in the pools special01, fallback01 and
// general over zone-a and zone-b), the real webhook server (webhook.Run, in
// process) registered with the chart's settings, and the policy ConfigMap
// applied with kubectl.
//
// The non-test files are the machinery the suite and `make demo` share:
// Start brings up the Env (control plane, serving certificate, webhook,
// registrations, policies), ApplyPolicies writes the policy ConfigMap with
// `kubectl apply` and waits until the webhook serves it, the workload
// builders make the sample objects, and Placements/WriteTable report where
// pods landed and why.
//
// The tests (one shared control plane, started in TestMain) run scenarios
// 1-8 of the design's "Proving it": kubectl apply of a Deployment, the
// fallback pool, what is never mutated, a helm-installed Spark-like driver
// with its executors, zones, policy hot reload and validation, every
// testdata manifest compared with `poolpatch mutate`, and the negative run,
// in which scenarios 1, 2 and 5 run without the webhook and must fail.
// Each scenario returns its failed assertions instead of failing the test,
// so that the negative run can require them to fail.
package scenarios
