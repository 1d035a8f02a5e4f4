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
// so that the negative run can require them to fail. Scenario 9
// (TestPreferenceLimits, policies e2e/testdata/preferences.yaml) measures
// what a preference can and cannot do against the real scheduler, on
// dedicated nodes whose CPU and memory it scales so that earlier scenarios'
// load weighs nothing: a zone weight at or above the pool gap (with and
// without a half-loaded node), one below it, and the default topology
// spreading of a ReplicaSet's pods against bare pods.
//
// Scenario 7 takes testdata/cases.yaml as its list and decides, for the
// manifests written for real clusters: every namespace is created with its
// case's labels plus poolpatch.io/enabled=true; the ServiceAccounts the pods
// name are created first (the ServiceAccount admission plugin rejects pods
// whose account is missing); the fields of live objects in a List
// (resourceVersion, uid, creationTimestamp, status) are dropped before the
// create; a pod whose spec.nodeName names a Node that does not exist is
// created (the API server accepts it, poolpatch must leave it alone); a pod
// is compared as the create call returned it, since the garbage collector
// deletes pods whose made-up owners do not exist; a CronJob's pod comes from
// a Job created from it as `kubectl create job --from=cronjob/NAME` does;
// Services and a SparkApplication (no CRD here) are not created: they make
// no pods and poolpatch passes them through.
package scenarios
