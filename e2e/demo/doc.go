// Command demo is `make demo`. By default it shows pools that scale: the
// control plane with no Nodes, the poolpatch webhook, and the real Karpenter
// (kwok provider) and KWOK (package e2e/autoscaler) with NodePools special01
// (limit two Nodes), fallback01 and general and the policies of
// e2e/testdata/autoscaling-policies.yaml. A small Spark-like job gets a
// special01 Node; a big one fills special01 to its limit and gets fallback01
// Nodes for the rest, never general; when both end, consolidation removes
// every Node again. Once the tools are built it takes about a minute.
//
// With -fixed (`make demo-fixed`) it runs the fixed-node demo instead: it starts a real control plane on this
// machine (etcd, kube-apiserver, kube-controller-manager, kube-scheduler,
// no kubelet) with fake Nodes in three pools over two zones, runs the
// poolpatch webhook in process against it with the policies of
// e2e/testdata/policies.yaml, creates sample workloads (a Deployment, a
// Spark-like driver with its executors, a Job) and prints where each pod
// landed and which policies placed it. It then fills special01 to show the
// fallback pool, edits the policy ConfigMap with kubectl to show the hot
// reload, and shuts everything down; Ctrl-C stops it cleanly at any point.
package main
