package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/poolpatch/poolpatch/policy"
)

// runValidate checks policy files: exit 0 when valid, otherwise every
// mistake as file:line:col: message and exit 1.
func runValidate(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, "Usage: poolpatch validate FILE...") }
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	set, err := loadPolicyFiles(fs.Args())
	if err != nil {
		var list policy.ErrorList
		if errors.As(err, &list) {
			for _, e := range list {
				fmt.Fprintln(stderr, e.Error())
			}
		} else {
			fmt.Fprintf(stderr, "%v\n", err)
		}
		return 1
	}
	for _, w := range set.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	fmt.Fprintf(stdout, "%d policies valid (generation %s)\n", set.Len(), set.Generation)
	return 0
}
