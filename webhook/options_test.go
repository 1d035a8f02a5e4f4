package webhook

import (
	"errors"
	"flag"
	"io"
	"testing"

	"github.com/go-logr/logr"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/poolpatch/poolpatch/policy"
)

func TestRegisterFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want Options
	}{
		{"defaults", []string{"--policy-file", "p.yaml"}, Options{Port: 9443, PolicyFile: "p.yaml",
			PrepullHelperImage: policy.DefaultPrepullHelperImage, MetricsBindAddress: ":8443", HealthProbeBindAddress: ":8081"}},
		{"all", []string{"--port", "10250", "--cert-dir", "/certs", "--policy-configmap", "poolpatch/poolpatch-policies",
			"--fail-closed", "--prepull-helper-image", "img:1", "--metrics-bind-address", "0",
			"--health-probe-bind-address", ":9000", "--kubeconfig", "/kc"},
			Options{Port: 10250, CertDir: "/certs", PolicyConfigMap: "poolpatch/poolpatch-policies", FailClosed: true,
				PrepullHelperImage: "img:1", MetricsBindAddress: "0", HealthProbeBindAddress: ":9000", Kubeconfig: "/kc"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got Options
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			got.RegisterFlags(fs)
			if err := fs.Parse(append(tt.args, "--zap-log-level", "debug")); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.IgnoreUnexported(Options{}), cmpopts.IgnoreTypes(zap.Options{}, logr.Logger{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
			if err := got.Validate(); err != nil {
				t.Errorf("Validate: %v", err)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		opts Options
	}{
		{"no source", Options{Port: 9443}},
		{"two sources", Options{Port: 9443, PolicyFile: "p", PolicyConfigMap: "a/b"}},
		{"bad configmap ref", Options{Port: 9443, PolicyConfigMap: "just-a-name"}},
		{"bad namespace", Options{Port: 9443, PolicyConfigMap: "Bad_NS/b"}},
		{"bad port", Options{Port: 70000, PolicyFile: "p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.opts.Validate(); !errors.Is(err, ErrInvalidOptions) {
				t.Errorf("Validate = %v, want ErrInvalidOptions", err)
			}
		})
	}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	(&Options{}).RegisterFlags(fs)
	for _, name := range []string{"port", "cert-dir", "policy-configmap", "policy-file", "fail-closed",
		"prepull-helper-image", "metrics-bind-address", "health-probe-bind-address", "kubeconfig", "zap-log-level", "zap-devel"} {
		if fs.Lookup(name) == nil {
			t.Errorf("flag --%s not registered", name)
		}
	}
}
