// Package safety proves against the real API server that poolpatch's patches
// never make a pod the API server rejects, including the admission that runs
// after webhooks.
//
// TestPatchedPodsAdmitted starts the harness's control plane (e2e/cluster)
// with the AlwaysPullImages admission plugin enabled, the webhook in process
// with the example policies, and for every Pod of testdata/pods (pod
// templates of workloads as the Pods their controllers create) creates it,
// with server-side dry run, in pairs of namespaces under four conditions:
// plain, a LimitRange with a Container minimum and default requests, a
// ResourceQuota on requests and limits (its status written by the test:
// the harness runs no quota controller), and Pod Security `restricted`
// enforced. One namespace of each pair is opted in to
// the webhook, the other is not and gives the baseline:
//
//   - a pod the API server accepts unpatched is accepted patched;
//   - a patched pod the API server rejects was rejected unpatched too, with
//     the same message once poolpatch's containers are taken out of its
//     lists: the only violations are the pod's own (most testdata pods are
//     not restricted-compliant on their own, and a quota on limits rejects
//     containers without limits; a BestEffort pod's prepull containers,
//     which carry no resources by design, are then listed beside its own);
//   - the patched pod keeps its QoS class (a BestEffort pod stays one);
//   - prepull init containers are injected where the policies say, pass
//     restricted Pod Security, meet the LimitRange minimum and pull Always
//     under AlwaysPullImages.
//
// Two synthetic pods complete the testdata: a restricted-compliant Airflow
// task and a BestEffort one, both given prepull containers.
//
// Run with `make e2e` (one control plane at a time: -p 1).
package safety
