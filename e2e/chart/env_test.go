package chart

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	e2ecluster "github.com/poolpatch/poolpatch/e2e/cluster"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// The CRDs the chart's objects need, from the Go modules that ship them.
const (
	certManagerModule   = "github.com/cert-manager/cert-manager"
	certManagerVersion  = "v1.21.2"
	certManagerCRDDir   = "deploy/crds"
	promOperatorModule  = "github.com/prometheus-operator/prometheus-operator"
	promOperatorVersion = "v0.85.0"
	serviceMonitorCRD   = "example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
)

// cluster is the API server shared by the tests of this package.
type cluster struct {
	cfg        *rest.Config // system:masters
	client     client.Client
	kubeconfig string // file for helm and kubectl
}

var (
	envOnce    sync.Once
	envErr     error
	testEnv    *envtest.Environment
	theCluster *cluster
	cpLock     *os.File // the machine-wide control-plane lock, while held
)

func TestMain(m *testing.M) {
	code := run(m)
	os.Exit(code)
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "poolpatch-chart-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	helmHome = dir
	// Ctrl-C or a termination signal still stops etcd and kube-apiserver.
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	go func() {
		if _, ok := <-sigs; ok {
			stopCluster()
			os.RemoveAll(dir)
			os.Exit(130)
		}
	}()
	defer stopCluster()
	return m.Run()
}

var stopOnce sync.Once

// stopCluster stops the control plane if a test started it.
func stopCluster() {
	stopOnce.Do(func() {
		if testEnv != nil {
			if err := testEnv.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "stop control plane:", err)
			}
		}
		if cpLock != nil {
			_ = cpLock.Close()
		}
	})
}

// getCluster starts the control plane on first use and returns it.
func getCluster(t testing.TB) *cluster {
	t.Helper()
	envOnce.Do(func() { theCluster, envErr = startCluster() })
	if envErr != nil {
		t.Fatalf("control plane: %v", envErr)
	}
	return theCluster
}

func startCluster() (*cluster, error) {
	paths := map[string]string{}
	for _, name := range []string{"kube-apiserver", "etcd", "kubectl"} {
		p, err := toolPath(name)
		if err != nil {
			return nil, err
		}
		paths[name] = p
	}
	cm, err := moduleDir(certManagerModule, certManagerVersion)
	if err != nil {
		return nil, err
	}
	po, err := moduleDir(promOperatorModule, promOperatorVersion)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	lock, err := e2ecluster.AcquireLock(ctx, func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) })
	if err != nil {
		return nil, err
	}
	cpLock = lock
	// As in a real cluster (envtest disables it): Pods get their
	// ServiceAccount's token volume and need the ServiceAccount to exist.
	apiServer := &envtest.APIServer{Path: paths["kube-apiserver"]}
	apiServer.Configure().Disable("disable-admission-plugins").Set("enable-admission-plugins", "ServiceAccount")
	existing := false
	testEnv = &envtest.Environment{
		UseExistingCluster: &existing,
		ControlPlane: envtest.ControlPlane{
			APIServer:   apiServer,
			Etcd:        &envtest.Etcd{Path: paths["etcd"]},
			KubectlPath: paths["kubectl"],
		},
		CRDDirectoryPaths: []string{
			filepath.Join(cm, certManagerCRDDir),
			filepath.Join(po, serviceMonitorCRD),
		},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := testEnv.Start()
	if err != nil {
		testEnv = nil
		return nil, fmt.Errorf("start envtest: %w", err)
	}
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	admin, err := testEnv.AddUser(envtest.User{Name: "chart-test-admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return nil, fmt.Errorf("add user: %w", err)
	}
	kc, err := admin.KubeConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	path := filepath.Join(helmHome, "kubeconfig")
	if err := os.WriteFile(path, kc, 0o600); err != nil {
		return nil, fmt.Errorf("write kubeconfig: %w", err)
	}
	return &cluster{cfg: cfg, client: c, kubeconfig: path}, nil
}

// moduleDir downloads a Go module version into the module cache (through
// the module proxy, checked against the checksum database) and returns its
// directory. It runs outside this module so go.mod stays untouched.
func moduleDir(path, version string) (string, error) {
	cmd := exec.Command("go", "mod", "download", "-json", path+"@"+version)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GO111MODULE=on")
	out, err := cmd.Output()
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", fmt.Errorf("go mod download %s@%s: %w\n%s%s", path, version, err, out, ee.Stderr)
		}
		return "", fmt.Errorf("go mod download %s@%s: %w", path, version, err)
	}
	var info struct{ Dir, Error string }
	if err := json.Unmarshal(out, &info); err != nil {
		return "", fmt.Errorf("go mod download %s@%s: %w", path, version, err)
	}
	if info.Error != "" || info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", path, version, info.Error)
	}
	return info.Dir, nil
}
