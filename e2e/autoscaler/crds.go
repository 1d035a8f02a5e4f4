package autoscaler

import (
	"fmt"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// installCRDs installs every CRD in dir and waits until the API server
// serves them.
func installCRDs(c *cluster.Cluster, dir string) error {
	_, err := envtest.InstallCRDs(c.RESTConfig(), envtest.CRDInstallOptions{
		Paths:              []string{dir},
		ErrorIfPathMissing: true,
		MaxTime:            30 * time.Second,
		PollInterval:       100 * time.Millisecond,
	})
	if err != nil {
		return fmt.Errorf("install Karpenter CRDs from %s: %w", dir, err)
	}
	return nil
}
