package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/testr"
	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/kubernetes/scheme"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/poolpatch/poolpatch/policy"

	"github.com/poolpatch/poolpatch/internal/repo"
)

// The CapacityBuffer CRD ships in the Karpenter module, which poolpatch does
// not import: it is read from the module cache.
const (
	karpenterModule  = "sigs.k8s.io/karpenter"
	karpenterVersion = "v1.15.0"
	bufferCRD        = "pkg/apis/crds/autoscaling.x-k8s.io_capacitybuffers.yaml"
	// karpenterToolchain is enough to download the module; no code of it
	// is built here.
	karpenterToolchain = "go1.27.3"
	testNamespace      = "poolpatch"
	ownerName          = "poolpatch"
)

// envtestAssets returns the directory of kube-apiserver and etcd, or skips
// the test when they have not been built.
func envtestAssets(t *testing.T) string {
	t.Helper()
	dir, err := repo.EnvtestAssets()
	if err != nil {
		t.Skip(err)
	}
	return dir
}

// bufferCRDPath downloads the Karpenter module into the module cache (the
// module proxy, checked against the checksum database) outside this module,
// so go.mod stays untouched, and returns the CRD's path.
func bufferCRDPath(t *testing.T) string {
	t.Helper()
	cmd := exec.Command("go", "mod", "download", "-json", karpenterModule+"@"+karpenterVersion)
	cmd.Dir = os.TempDir()
	// The module asks for a newer Go than the main module (its go line is
	// go 1.26.9); the Makefile builds its tools with the same toolchain.
	cmd.Env = append(os.Environ(), "GOFLAGS=", "GOWORK=off", "GO111MODULE=on", "GOTOOLCHAIN="+karpenterToolchain)
	out, err := cmd.Output()
	var info struct{ Dir, Error string }
	if err == nil {
		err = json.Unmarshal(out, &info)
	}
	if err != nil || info.Dir == "" {
		t.Fatalf("go mod download %s@%s: %v %s\n%s", karpenterModule, karpenterVersion, err, info.Error, out)
	}
	return filepath.Join(info.Dir, bufferCRD)
}

// policies is a PolicySource a test swaps.
type policies struct{ set atomic.Pointer[policy.Set] }

func (p *policies) Current() *policy.Set { return p.set.Load() }

func (p *policies) load(t *testing.T, replicas int) {
	t.Helper()
	stream := fmt.Sprintf(`apiVersion: poolpatch.io/v1alpha1
kind: PoolPolicy
metadata: {name: executors}
spec:
  match: {podSelector: {matchLabels: {spark-role: executor}}}
  pools: [{name: special01, weight: 100}]
  headroom: {replicas: %d, requests: {cpu: "2", memory: 4Gi}}
`, replicas)
	if replicas < 0 {
		stream = "apiVersion: poolpatch.io/v1alpha1\nkind: PoolPolicy\nmetadata: {name: executors}\nspec:\n  pools: [{name: special01, weight: 100}]\n"
	}
	set, err := policy.Load(policy.Source{Name: "test.yaml", Data: []byte(stream)})
	if err != nil {
		t.Fatal(err)
	}
	p.set.Store(set)
}

type fixture struct {
	cfg     *rest.Config
	env     *envtest.Environment
	client  client.Client
	kube    kubernetes.Interface
	events  record.EventRecorder
	owner   *appsv1.Deployment
	crdPath string
}

func startFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{crdPath: bufferCRDPath(t)}
	f.env = &envtest.Environment{BinaryAssetsDirectory: envtestAssets(t)}
	cfg, err := f.env.Start()
	if err != nil {
		t.Fatalf("start envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := f.env.Stop(); err != nil {
			t.Errorf("stop envtest: %v", err)
		}
	})
	f.cfg = cfg
	if f.client, err = client.New(cfg, client.Options{}); err != nil {
		t.Fatal(err)
	}
	f.kube = kubernetes.NewForConfigOrDie(cfg)
	broadcaster := record.NewBroadcaster()
	broadcaster.StartRecordingToSink(&typedcorev1.EventSinkImpl{Interface: f.kube.CoreV1().Events("")})
	t.Cleanup(broadcaster.Shutdown)
	f.events = broadcaster.NewRecorder(scheme.Scheme, corev1.EventSource{Component: "poolpatch"})
	ctx := t.Context()
	if _, err := f.kube.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}}, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "poolpatch"}
	f.owner, err = f.kube.AppsV1().Deployments(testNamespace).Create(ctx, &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: ownerName},
		Spec: appsv1.DeploymentSpec{Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "poolpatch", Image: "poolpatch"}}}}},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) options(mode Mode) Options {
	return Options{Headroom: true, HeadroomMode: string(mode), MaxHeadroomChunks: 4, Namespace: testNamespace,
		OwnerDeployment: ownerName, LeaderElectionID: DefaultLeaderElectionID, HeadroomImage: "poolpatch/poolpatch:test",
		HeadroomPriorityClass: DefaultPriorityClass,
		Elector:               Elector{LeaseDuration: 4 * time.Second, RenewDeadline: 3 * time.Second, RetryPeriod: 250 * time.Millisecond},
		Writer:                HeadroomWriter{Poll: 50 * time.Millisecond, BackoffMin: 100 * time.Millisecond, BackoffMax: time.Second}}
}

// replica runs the writers of one poolpatch replica until stop is called.
type replica struct {
	cancel context.CancelFunc
	done   chan struct{}
}

func (f *fixture) startReplica(t *testing.T, name string, src PolicySource, o Options) *replica {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	r := &replica{cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(r.done)
		Run(ctx, Env{Config: f.cfg, Policies: src, Events: f.events, Log: testr.NewWithOptions(t, testr.Options{Verbosity: 1}).WithName(name)}, o)
	}()
	t.Cleanup(r.stop)
	return r
}

func (r *replica) stop() {
	r.cancel()
	<-r.done
}

// get reads one object of gvk, or nil when it does not exist.
func (f *fixture) get(t *testing.T, kind string, name string) *unstructured.Unstructured {
	t.Helper()
	gvk := map[string]schemaKind{"PodTemplate": {PodTemplateGVK.Group, PodTemplateGVK.Version},
		"CapacityBuffer": {CapacityBufferGVK.Group, CapacityBufferGVK.Version}, "Deployment": {"apps", "v1"}}[kind]
	u := &unstructured.Unstructured{}
	u.SetAPIVersion(gvk.apiVersion())
	u.SetKind(kind)
	err := f.client.Get(t.Context(), client.ObjectKey{Namespace: testNamespace, Name: name}, u)
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return &unstructured.Unstructured{Object: map[string]any{"error": err.Error()}}
	}
	return u
}

type schemaKind struct{ group, version string }

func (s schemaKind) apiVersion() string {
	if s.group == "" {
		return s.version
	}
	return s.group + "/" + s.version
}

func (f *fixture) holder(t *testing.T) string {
	t.Helper()
	var lease coordinationv1.Lease
	err := f.client.Get(t.Context(), client.ObjectKey{Namespace: testNamespace, Name: DefaultLeaderElectionID}, &lease)
	if err != nil || lease.Spec.HolderIdentity == nil {
		return ""
	}
	return *lease.Spec.HolderIdentity
}

// eventually polls check until it returns nil or the timeout passes.
func eventually(t *testing.T, what string, timeout time.Duration, check func() error) time.Duration {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < timeout {
		if err = check(); err == nil {
			return time.Since(start)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not after %s: %v", what, timeout, err)
	return 0
}

var errNotYet = errors.New("not yet")

func loggerFor(t *testing.T, name string) logr.Logger { return testr.New(t).WithName(name) }

func runtimeConvert(u *unstructured.Unstructured, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, into)
}

func hostPrefix(t *testing.T) string {
	t.Helper()
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	return host + "_"
}
