package chart

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/poolpatch/poolpatch/controller"
	"github.com/poolpatch/poolpatch/webhook"
)

// serverContainer returns the server container of the rendered Deployment.
func serverContainer(t testing.TB, objs []*unstructured.Unstructured) corev1.Container {
	t.Helper()
	d := ofKind(objs, "Deployment")
	if len(d) != 1 {
		t.Fatalf("chart renders %d Deployments, want 1", len(d))
	}
	return podTemplate(t, d[0]).Spec.Containers[0]
}

// parseServe parses a container's arguments into webhook.Options the way
// `poolpatch serve` does (cmd/poolpatch binds the same flags).
func parseServe(args []string) (webhook.Options, error) {
	o, _, err := parseServeWriters(args)
	return o, err
}

// parseServeWriters is parseServe with the writers' flags, which `poolpatch
// serve` registers beside the webhook's.
func parseServeWriters(args []string) (webhook.Options, controller.Options, error) {
	var o webhook.Options
	var w controller.Options
	if len(args) == 0 || args[0] != "serve" {
		return o, w, fmt.Errorf("arguments %q do not start with the serve subcommand", args)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.RegisterFlags(fs)
	w.RegisterFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return o, w, fmt.Errorf("parse %q: %w", args[1:], err)
	}
	if fs.NArg() > 0 {
		return o, w, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := o.Validate(); err != nil {
		return o, w, fmt.Errorf("validate: %w", err)
	}
	if err := w.Validate(); err != nil {
		return o, w, fmt.Errorf("validate writers: %w", err)
	}
	return o, w, nil
}

// wiring is what the server's flags must agree on with the rest of the chart.
type wiring struct {
	Port, MetricsBindAddress, HealthProbeBindAddress string
	CertDir, PolicyConfigMap, PrepullHelperImage     string
	FailClosed                                       bool
}

// TestServeAcceptsChartArgs parses the arguments the chart gives the server
// with the server's own flag set and checks they point where the rest of the
// chart expects: container ports, the TLS mount, the policy ConfigMap, the
// prepull helper image.
func TestServeAcceptsChartArgs(t *testing.T) {
	helper := map[string]string{"all": "registry.example/platform/poolpatch-helper:9.9.9"}
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			objs := mustDecode(t, render(t, releaseName, releaseNamespace, vs.values...))
			c := serverContainer(t, objs)
			o, w, err := parseServeWriters(c.Args)
			if err != nil {
				t.Fatal(err)
			}
			checkWriters(t, objs, w)
			got := wiring{
				Port: strconv.Itoa(o.Port), MetricsBindAddress: o.MetricsBindAddress,
				HealthProbeBindAddress: o.HealthProbeBindAddress, CertDir: o.CertDir,
				PolicyConfigMap: o.PolicyConfigMap, PrepullHelperImage: o.PrepullHelperImage,
				FailClosed: o.FailClosed,
			}
			ports := map[string]string{}
			for _, p := range c.Ports {
				ports[p.Name] = strconv.Itoa(int(p.ContainerPort))
			}
			mounts := map[string]string{}
			for _, m := range c.VolumeMounts {
				mounts[m.Name] = m.MountPath
			}
			var policies string
			for _, cm := range ofKind(objs, "ConfigMap") {
				if cm.GetLabels()["poolpatch.io/policies"] == "true" {
					policies = cm.GetNamespace() + "/" + cm.GetName()
				}
			}
			want := wiring{
				Port: ports["webhook"], MetricsBindAddress: ":" + ports["metrics"],
				HealthProbeBindAddress: ":" + ports["health"], CertDir: mounts["tls"],
				PolicyConfigMap: policies, PrepullHelperImage: c.Image, FailClosed: vs.name == "all",
			}
			if h, ok := helper[vs.name]; ok {
				want.PrepullHelperImage = h
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("server flags disagree with the chart (-want +got):\n%s", diff)
			}
		})
	}
}

// checkWriters checks the writers' flags against the rest of the chart:
// their namespace is the release's, headroom's owner the chart's Deployment,
// their Lease the one the writers' Role names, and in placeholder mode their
// PriorityClass the one the chart renders.
func checkWriters(t *testing.T, objs []*unstructured.Unstructured, w controller.Options) {
	t.Helper()
	role := find(objs, "Role", w.LeaderElectionID)
	if !w.Enabled() {
		if role != nil {
			t.Errorf("writers off, but Role %s rendered", w.LeaderElectionID)
		}
		return
	}
	deployments := ofKind(objs, "Deployment")
	if len(deployments) != 1 || deployments[0].GetNamespace() != w.Namespace {
		t.Errorf("--namespace %q, chart Deployment %v", w.Namespace, deployments)
	}
	if w.Headroom && (len(deployments) != 1 || deployments[0].GetName() != w.OwnerDeployment) {
		t.Errorf("--owner-deployment %q, chart Deployment %v", w.OwnerDeployment, deployments)
	}
	if role == nil || !strings.Contains(fmt.Sprint(role.Object["rules"]), w.LeaderElectionID) {
		t.Errorf("no writers' Role naming the Lease %q", w.LeaderElectionID)
	}
	if w.HeadroomMode == string(controller.ModePlaceholder) && find(objs, "PriorityClass", w.HeadroomPriorityClass) == nil {
		t.Errorf("--headroom-priority-class %q is not rendered", w.HeadroomPriorityClass)
	}
}
