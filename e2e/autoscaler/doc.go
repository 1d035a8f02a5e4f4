// Package autoscaler runs the real Karpenter, with its kwok cloud provider,
// and the KWOK controller against a control plane of package e2e/cluster, so
// that poolpatch's end-to-end tests and demo see pools that scale from zero.
//
// Karpenter (bin/karpenter-kwok, sigs.k8s.io/karpenter v1.15.0) turns
// NodeClaims into Node objects with no cloud; KWOK (bin/kwok,
// sigs.k8s.io/kwok v0.8.0) plays the kubelet for exactly those Nodes (the
// ones annotated kwok.x-k8s.io/node=fake): they become Ready, keep a node
// lease, and the pods bound to them Running. Both are built by
// `make autoscaler-tools` (part of `make tools`) from e2e/autoscaler-tools,
// which also copies Karpenter's CRDs and KWOK's stages into bin/autoscaler.
//
// The cluster must be started with no fake Nodes (an empty, non-nil
// cluster.Options.Pools) and cluster.Options.NodeLifecycle set: every new
// Node carries node.kubernetes.io/not-ready:NoSchedule until the node
// lifecycle controller sees it Ready. Options gives the rest; the zero
// value is the layout poolpatch's suite expects:
//
//   - NodePools special01 (at most SpecialLimit Nodes), fallback01 and
//     general, each labelled dedicated=<pool> (and e2e.poolpatch.io/pool),
//     the first two tainted dedicated=<pool>:NoSchedule, consolidation off
//     (consolidateAfter Never) until a test turns it on;
//   - one KWOKNodeClass with a one-second registration delay;
//   - one instance type of this package's instance-types.json (4 CPUs,
//     16 GiB, on-demand in test-zone-a to test-zone-d), so that node counts
//     are predictable: three pods of one CPU fill a Node;
//   - Karpenter out of cluster with leader election off, free ports for its
//     metrics and health probe, batch windows of 1 s idle / 3 s at most, and
//     the CapacityBuffer feature gate on (alpha, off by default), so that
//     CapacityBuffer objects are honoured.
//
// Karpenter and KWOK run as cluster.Process: the cluster stops them (before
// the control plane) on every exit path it handles.
package autoscaler
