package cluster

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// saSigningKey is the file envtest writes the service-account signing key to,
// in the API server's certificate directory.
const saSigningKey = "sa-signer.key"

// newEnvironment prepares envtest for etcd and kube-apiserver from binDir,
// with the ServiceAccount admission plugin enabled again. It also returns
// the two components' log files, which the caller closes.
func newEnvironment(binDir, workDir string, opts Options) (*envtest.Environment, []*os.File, error) {
	etcdPath, err := deathSigWrapper(workDir, filepath.Join(binDir, "etcd"))
	if err != nil {
		return nil, nil, err
	}
	apiPath, err := deathSigWrapper(workDir, filepath.Join(binDir, "kube-apiserver"))
	if err != nil {
		return nil, nil, err
	}
	logs, err := openLogs(workDir, "etcd", "kube-apiserver")
	if err != nil {
		return nil, logs, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory:    binDir,
		ControlPlaneStartTimeout: opts.StartTimeout,
		ControlPlaneStopTimeout:  stopGrace,
	}
	env.ControlPlane.Etcd = &envtest.Etcd{Path: etcdPath, Out: logs[0], Err: logs[0]}
	api := env.ControlPlane.GetAPIServer()
	api.Path = apiPath
	api.Out, api.Err = logs[1], logs[1]
	args := api.Configure()
	// envtest disables ServiceAccount because it runs no controller to create
	// the default ServiceAccount; this harness does.
	args.Disable("disable-admission-plugins")
	args.Set("enable-admission-plugins", strings.Join(append([]string{"ServiceAccount"}, opts.AdmissionPlugins...), ","))
	return env, logs, nil
}

// openLogs creates <workDir>/<name>.log for each name.
func openLogs(workDir string, names ...string) ([]*os.File, error) {
	files := make([]*os.File, 0, len(names))
	for _, name := range names {
		f, err := os.Create(filepath.Join(workDir, name+".log"))
		if err != nil {
			return files, fmt.Errorf("%s log: %w", name, err)
		}
		files = append(files, f)
	}
	return files, nil
}

// saKeyFile is the service-account signing key the API server uses, which
// kube-controller-manager needs to mint legacy tokens.
func saKeyFile(env *envtest.Environment) string {
	return filepath.Join(env.ControlPlane.APIServer.CertDir, saSigningKey)
}
