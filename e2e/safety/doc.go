// Package safety proves against the real API server that poolpatch's patches
// never make a pod the API server rejects, including the admission that runs
// after webhooks.
//
// TestPatchedPodsAdmitted starts the harness's control plane (e2e/cluster)
// with the AlwaysPullImages admission plugin enabled, the webhook in process
// with the example policies, and for every Pod of testdata/pods (pod
// templates of workloads as the Pods their controllers create) creates it,
// with server-side dry run, in pairs of namespaces under three conditions:
// plain, a LimitRange with a Container minimum and default requests, and Pod
// Security `restricted` enforced. One namespace of each pair is opted in to
// the webhook, the other is not and gives the baseline:
//
//   - a pod the API server accepts unpatched is accepted patched;
//   - a patched pod the API server rejects was rejected unpatched too, and
//     the rejection names none of poolpatch's containers (some testdata
//     pods are not restricted-compliant on their own: hostPath, root);
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
