package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"github.com/poolpatch/poolpatch/controller"
	"github.com/poolpatch/poolpatch/webhook"
)

func TestServeFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		wantErr error
		check   func(t *testing.T, opts webhook.Options, out string)
	}{
		{name: "help", args: []string{"-h"}, wantErr: flag.ErrHelp, check: func(t *testing.T, _ webhook.Options, out string) {
			for _, f := range []string{"-port", "-cert-dir", "-policy-configmap", "-policy-file", "-fail-closed",
				"-prepull-helper-image", "-metrics-bind-address", "-health-probe-bind-address", "-pprof-bind-address", "-kubeconfig", "-zap-log-level"} {
				if !strings.Contains(out, f) {
					t.Errorf("usage lacks %s:\n%s", f, out)
				}
			}
		}},
		{name: "configmap", args: []string{"--policy-configmap", "poolpatch/poolpatch-policies", "--fail-closed", "--port", "8443"},
			check: func(t *testing.T, opts webhook.Options, _ string) {
				if opts.PolicyConfigMap != "poolpatch/poolpatch-policies" || !opts.FailClosed || opts.Port != 8443 {
					t.Errorf("options = %+v", opts)
				}
			}},
		{name: "pprof off by default", args: []string{"--policy-file", "p"}, check: func(t *testing.T, opts webhook.Options, _ string) {
			if opts.PprofBindAddress != "" {
				t.Errorf("pprof on by default at %q", opts.PprofBindAddress)
			}
		}},
		{name: "pprof", args: []string{"--policy-file", "p", "--pprof-bind-address", "127.0.0.1:6060"},
			check: func(t *testing.T, opts webhook.Options, _ string) {
				if opts.PprofBindAddress != "127.0.0.1:6060" {
					t.Errorf("PprofBindAddress = %q", opts.PprofBindAddress)
				}
			}},
		{name: "no source", args: nil, wantErr: webhook.ErrInvalidOptions},
		{name: "bad configmap", args: []string{"--policy-configmap", "nameonly"}, wantErr: webhook.ErrInvalidOptions},
		{name: "unknown flag", args: []string{"--policy-file", "p", "--nope"}, wantErr: errAny},
		{name: "extra argument", args: []string{"--policy-file", "p", "extra"}, wantErr: errAny},
		{name: "writers off by default", args: []string{"--policy-file", "p"}, check: func(t *testing.T, opts webhook.Options, _ string) {
			if opts.Writers != nil {
				t.Error("writers enabled without --headroom")
			}
		}},
		{name: "headroom", args: []string{"--policy-file", "p", "--headroom", "--namespace", "poolpatch", "--headroom-mode", "placeholder"},
			check: func(t *testing.T, opts webhook.Options, _ string) {
				if opts.Writers == nil {
					t.Error("--headroom did not enable the writers")
				}
			}},
		{name: "headroom without namespace", args: []string{"--policy-file", "p", "--headroom", "--namespace", ""}, wantErr: controller.ErrInvalidOptions},
		{name: "headroom bad mode", args: []string{"--policy-file", "p", "--headroom", "--namespace", "x", "--headroom-mode", "balloons"}, wantErr: controller.ErrInvalidOptions},
		{name: "rebalance", args: []string{"--policy-file", "p", "--rebalance", "--namespace", "poolpatch", "--rebalance-interval", "5s"},
			check: func(t *testing.T, opts webhook.Options, _ string) {
				if opts.Writers == nil {
					t.Error("--rebalance did not enable the writers")
				}
			}},
		{name: "rebalance without namespace", args: []string{"--policy-file", "p", "--rebalance", "--namespace", ""}, wantErr: controller.ErrInvalidOptions},
		{name: "rebalance interval under a second", args: []string{"--policy-file", "p", "--rebalance", "--namespace", "x", "--rebalance-interval", "100ms"}, wantErr: controller.ErrInvalidOptions},
		{name: "headroom negative cap", args: []string{"--policy-file", "p", "--headroom", "--namespace", "x", "--max-headroom-chunks", "-1"}, wantErr: controller.ErrInvalidOptions},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			opts, err := parseServeFlags(tt.args, &out)
			switch {
			case tt.wantErr == errAny && err == nil:
				t.Fatal("no error")
			case tt.wantErr != errAny && !errors.Is(err, tt.wantErr):
				t.Fatalf("err = %v, want %v", err, tt.wantErr)
			}
			if tt.check != nil {
				tt.check(t, opts, out.String())
			}
		})
	}
}

// errAny stands for any non-nil error in TestServeFlags.
var errAny = errors.New("any error")
