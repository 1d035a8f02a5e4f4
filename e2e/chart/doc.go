// Package chart holds the tests of the Helm chart in charts/poolpatch, of
// the plain manifests rendered from it into deploy/, and of the image's
// Dockerfile.
//
// The tests run the pinned tools the Makefile builds into the repository's
// bin/ directory (helm, kubectl, kube-apiserver, etcd), never whatever is on
// PATH:
//
//   - `helm lint`, the install notes, and values the schema must refuse;
//   - golden `helm template` outputs under testdata/golden for the default
//     values, without cert-manager (generated keys masked) and with every
//     option set (rewrite them with `go test ./e2e/chart -update`);
//   - deploy/ is the chart rendered with its defaults (`make manifests`
//     rewrites it) and builds with `kubectl kustomize`;
//   - server-side dry-run of every rendered object against a real
//     kube-apiserver started with envtest, holding the cert-manager and
//     ServiceMonitor CRDs taken from their Go modules;
//   - `helm install`, `helm upgrade` (the generated CA survives it) and
//     `helm uninstall`;
//   - the restricted Pod Security level: no warning for the chart, a Pod
//     from the Deployment's template admitted;
//   - the ServiceAccount's permissions by impersonation, and the real
//     server, started with the chart's arguments under that identity,
//     loading its policies and namespace labels and serving metrics through
//     TokenReview and SubjectAccessReview;
//   - the rendered policy ConfigMap loads with the policy engine;
//   - the Dockerfile's contract and a build context that holds every source
//     file of the two binaries (the image itself cannot be built here).
//
// Only one control plane is started per test binary, lazily, by the first
// test that needs it, and stopped by TestMain (also on SIGINT and SIGTERM).
// Run the package with -p 1 next to other suites that start a control plane.
package chart
