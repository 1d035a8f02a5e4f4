// Package explaincli gathers what `poolpatch explain` explains: offline from
// files (policies, a manifest, Nodes, bound pods, NodePools), or live from a
// cluster with client-go (the stored pod, the Nodes, the pods bound to them,
// the Services of the pod's namespace, the NodePools when Karpenter's CRD
// exists, the namespace's labels and the policy ConfigMap). It calls the
// engine and package explain, which stay pure; cmd/poolpatch only parses
// flags and prints, and the end-to-end suite calls Live in process.
package explaincli
