package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/poolpatch/poolpatch/controller"
	"github.com/poolpatch/poolpatch/webhook"
)

const serveUsage = `Usage: poolpatch serve (--policy-configmap NAMESPACE/NAME | --policy-file PATH) [flags]

Runs the admission webhook: HTTPS on --port with the certificate in --cert-dir
(tls.crt, tls.key, reloaded when they change), /mutate-pods and
/validate-policies, /healthz and /readyz on --health-probe-bind-address,
Prometheus metrics on --metrics-bind-address. Policies come from a ConfigMap
(needs a cluster) or a file (runs without a cluster when no kubeconfig is
found); a new version that fails validation is rejected and the last good set
keeps serving. Logs are JSON (--zap-devel for text). With --headroom, the
replica holding the writers' Lease keeps the policies' headroom objects in
--namespace; nothing the writers meet stops or slows admission.

Flags:
`

// runServe parses the serve flags and runs the webhook until ctx ends.
func runServe(ctx context.Context, args []string) error {
	opts, err := parseServeFlags(args, os.Stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	return webhook.Run(ctx, opts)
}

// parseServeFlags turns the serve arguments into webhook.Options; usage and
// flag errors go to out.
func parseServeFlags(args []string, out io.Writer) (webhook.Options, error) {
	var opts webhook.Options
	var writers controller.Options
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	opts.RegisterFlags(fs)
	writers.RegisterFlags(fs)
	fs.Usage = func() {
		fmt.Fprint(out, serveUsage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return opts, err
	}
	if fs.NArg() > 0 {
		return opts, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if err := opts.Validate(); err != nil {
		return opts, err
	}
	if err := writers.Validate(); err != nil {
		return opts, err
	}
	if writers.Enabled() {
		opts.Writers = func(ctx context.Context, env webhook.WriterEnv) {
			controller.Run(ctx, controller.Env{Config: env.Config, Policies: env.Policies, Events: env.Events,
				Log: env.Log, PrepullImage: env.PrepullImage}, writers)
		}
	}
	return opts, nil
}
