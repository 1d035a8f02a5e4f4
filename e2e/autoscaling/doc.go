// Package autoscaling proves poolpatch with pools that scale: the real
// Karpenter (kwok provider) and KWOK (package e2e/autoscaler) on the
// harness's control plane, with no fixed Nodes, the real webhook registered
// as in the scenarios suite, and the policies of
// e2e/testdata/autoscaling-policies.yaml. NodePools special01 (at most
// autoscaler.SpecialLimit Nodes) and fallback01, tainted, and general,
// untainted; one 4-CPU instance type offered in test-zone-a to test-zone-d.
//
// The tests (one control plane, started in TestMain) run the scenarios of
// "Pools that scale", each from zero Nodes and each asserting on Nodes and
// NodeClaims as well as on pods:
//
//  1. from zero: a Spark-like driver and executors (kubectl apply) get
//     special01 Nodes only;
//  2. at the limit: more executors than special01's limit holds: the rest
//     run on new fallback01 Nodes, never on general;
//  3. out of capacity: special01 made unsatisfiable (it requires spot, no
//     offering is spot): everything runs on fallback01;
//  4. one zone per job: two jobs whose sameZoneBy values hash to different
//     zones get Nodes in their own zones;
//  5. disruption: empty Nodes are consolidated away; the Node of a driver
//     poolpatch marked do-not-disrupt stays until the driver is gone;
//  6. the negative run: scenarios 1-4 without the webhook must fail.
//
// After the pods of scenarios 1-5 run (and in the negative run), `poolpatch
// explain pod` runs live on each of them, with the cluster's NodePools: the
// NodePool explain names first among those that can provision (the one
// Karpenter would try first) must be the NodePool of the pod's Node. explain
// does not see the provider's offerings, so a NodePool no offering of the
// instance types meets (scenario 3's spot-only special01) is passed over;
// the log says for how many pods that decided, and the tally of the run.
//
// The non-test files hold what the suite and `make demo` share: the
// Spark-like Job, its submission with kubectl, and waiting for Running pods.
package autoscaling
