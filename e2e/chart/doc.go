// Package chart holds the tests of the Helm chart in charts/poolpatch and of
// the plain manifests rendered from it into deploy/.
//
// The tests run the pinned tools the Makefile builds into the repository's
// bin/ directory (helm, kubectl, kube-apiserver, etcd), never whatever is on
// PATH: `helm lint`; golden `helm template` outputs under testdata/golden
// (rewrite them with `go test ./e2e/chart -update`); server-side dry-run of
// every rendered object against a real kube-apiserver started with envtest,
// with the cert-manager and ServiceMonitor CRDs taken from their Go modules;
// `helm install` and `helm upgrade`; the restricted Pod Security level; and
// the ServiceAccount's permissions, exercised by impersonation.
//
// Only one control plane is started per test binary, lazily, by the first
// test that needs it. Run the package with -p 1 next to other suites that
// start a control plane.
package chart
