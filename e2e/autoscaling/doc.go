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
// The non-test files hold what the suite and `make demo` share: the
// Spark-like Job, its submission with kubectl, and waiting for Running pods.
package autoscaling
