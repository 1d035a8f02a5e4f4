package main

import (
	"fmt"
	"io"

	"github.com/poolpatch/poolpatch/internal/policyschema"
)

// runSchema prints the JSON Schema of a PoolPolicy document as this binary
// validates it (docs/poolpolicy.schema.json holds the same for the
// repository's version), for editors and CI.
func runSchema(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "Usage: poolpatch schema")
		return 2
	}
	data, err := policyschema.Marshal(policyschema.Generate())
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch schema: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(data); err != nil {
		return 1
	}
	return 0
}
