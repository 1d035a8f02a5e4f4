package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "image: %v\n", err)
		os.Exit(1)
	}
}

// options are the command line of one build.
type options struct {
	binDir    string   // holds OS_ARCH/poolpatch and OS_ARCH/prepull
	out       string   // OCI layout directory, replaced
	platforms []string // os/arch
	ref       string   // image name recorded in the layout (and pushed to)
	push      bool
	version   string
	revision  string
	created   time.Time
}

func run(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("image", flag.ContinueOnError)
	var o options
	var platforms, epoch string
	fs.StringVar(&o.binDir, "bin", "", "directory holding OS_ARCH/poolpatch and OS_ARCH/prepull")
	fs.StringVar(&o.out, "out", "", "OCI image layout directory to write (replaced)")
	fs.StringVar(&platforms, "platforms", "linux/amd64,linux/arm64", "comma-separated os/arch list")
	fs.StringVar(&o.ref, "image", "poolpatch/poolpatch:dev", "image reference: the layout's ref name, and where -push pushes")
	fs.BoolVar(&o.push, "push", false, "push the index to -image (credentials from the Docker config, as docker login writes them)")
	fs.StringVar(&o.version, "version", "dev", "version label")
	fs.StringVar(&o.revision, "revision", "", "source revision label")
	fs.StringVar(&epoch, "source-date-epoch", "0", "creation time in Unix seconds (reproducible builds: the commit time)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if o.binDir == "" || o.out == "" {
		return fmt.Errorf("-bin and -out are required")
	}
	secs, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil {
		return fmt.Errorf("-source-date-epoch %q: %w", epoch, err)
	}
	o.created = time.Unix(secs, 0).UTC()
	for _, p := range strings.Split(platforms, ",") {
		if p = strings.TrimSpace(p); p != "" {
			o.platforms = append(o.platforms, p)
		}
	}
	return build(ctx, o)
}
