package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/poolpatch/poolpatch/webhook"
)

const serveUsage = `Usage: poolpatch serve (--policy-configmap NAMESPACE/NAME | --policy-file PATH) [flags]

Runs the admission webhook: HTTPS on --port with the certificate in --cert-dir
(tls.crt, tls.key, reloaded when they change), /mutate-pods and
/validate-policies, /healthz and /readyz on --health-probe-bind-address,
Prometheus metrics on --metrics-bind-address. Policies come from a ConfigMap
(needs a cluster) or a file (runs without a cluster when no kubeconfig is
found); a new version that fails validation is rejected and the last good set
keeps serving. Logs are JSON (--zap-devel for text).

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
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	opts.RegisterFlags(fs)
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
	return opts, nil
}
