// Command demo is `make demo`: it starts a real control plane on this
// machine (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// no kubelet) with fake Nodes in three pools over two zones, runs the
// poolpatch webhook in process against it with the policies of
// e2e/testdata/policies.yaml, creates sample workloads (a Deployment, a
// Spark-like driver with its executors, a Job) and prints where each pod
// landed and which policies placed it. It then fills special01 to show the
// fallback pool, edits the policy ConfigMap with kubectl to show the hot
// reload, and shuts everything down; Ctrl-C stops it cleanly at any point.
package main
