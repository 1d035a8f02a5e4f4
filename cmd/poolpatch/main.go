package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

const usage = `poolpatch: pool policies for Kubernetes pods.

Usage:
  poolpatch serve [flags]                        run the admission webhook
  poolpatch mutate -p POLICIES... -f MANIFEST    preview what the policies do to a manifest
  poolpatch explain ...                          where a pod can run, and why (offline or live)
  poolpatch validate FILE...                     check policy files
  poolpatch schema                               print the JSON Schema of a PoolPolicy (for editors)
  poolpatch headroom -p POLICIES... [-n NS]      print the objects that keep the policies' headroom
  poolpatch version                              print the version

Run 'poolpatch COMMAND -h' for a command's flags.
`

// run dispatches a subcommand and returns the process exit code.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	switch args[0] {
	case "serve":
		if err := runServe(ctx, args[1:]); err != nil {
			fmt.Fprintf(stderr, "poolpatch serve: %v\n", err)
			return 1
		}
		return 0
	case "mutate":
		return runMutate(args[1:], stdin, stdout, stderr)
	case "explain":
		return runExplain(ctx, args[1:], stdout, stderr)
	case "validate":
		return runValidate(args[1:], stdout, stderr)
	case "schema":
		return runSchema(args[1:], stdout, stderr)
	case "headroom":
		return runHeadroom(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, versionString())
		return 0
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "poolpatch: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}
