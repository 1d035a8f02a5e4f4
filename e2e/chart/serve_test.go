package chart

import (
	"flag"
	"fmt"
	"io"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

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
	var o webhook.Options
	if len(args) == 0 || args[0] != "serve" {
		return o, fmt.Errorf("arguments %q do not start with the serve subcommand", args)
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	o.RegisterFlags(fs)
	if err := fs.Parse(args[1:]); err != nil {
		return o, fmt.Errorf("parse %q: %w", args[1:], err)
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if err := o.Validate(); err != nil {
		return o, fmt.Errorf("validate: %w", err)
	}
	return o, nil
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
			o, err := parseServe(c.Args)
			if err != nil {
				t.Fatal(err)
			}
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
