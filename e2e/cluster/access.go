package cluster

import (
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// RESTConfig returns a copy of the admin (system:masters) client config.
func (c *Cluster) RESTConfig() *rest.Config {
	return rest.CopyConfig(c.cfg)
}

// Client returns an admin controller-runtime client with client-go's scheme.
func (c *Cluster) Client() client.Client {
	return c.cl
}

// KubeconfigPath is an admin kubeconfig file for bin/kubectl and bin/helm.
func (c *Cluster) KubeconfigPath() string {
	return c.kubeconfig
}

// CAPEM is the API server's serving CA, PEM-encoded.
func (c *Cluster) CAPEM() []byte {
	return append([]byte(nil), c.cfg.CAData...)
}

// BinDir is the directory the control-plane binaries (and kubectl, helm)
// were taken from.
func (c *Cluster) BinDir() string {
	return c.binDir
}

// WorkDir holds the cluster's kubeconfig, certificates and component logs
// (etcd.log, kube-apiserver.log, kube-controller-manager.log,
// kube-scheduler.log).
func (c *Cluster) WorkDir() string {
	return c.workDir
}

// NodeNames lists the fake Nodes of pool, or of every pool for "", sorted.
func (c *Cluster) NodeNames(pool string) []string {
	return c.nodes.names(pool)
}
