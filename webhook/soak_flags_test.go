package webhook

import (
	"flag"
	"os"
	"testing"
	"time"
)

// soakDuration is how long the load tests keep their load running. Zero
// (the default) scales them to finish in seconds under `make test`; set
// -soak=2m (go test ./webhook -run UnderLoad -soak=2m) or POOLPATCH_SOAK=2m
// for a longer run.
var soakDuration = flag.Duration("soak", 0,
	"run the load tests (reload, certificate rotation, shutdown) this long instead of a few seconds")

// soakFor returns the soak duration asked for, or def when none was.
func soakFor(t testing.TB, def time.Duration) time.Duration {
	t.Helper()
	if *soakDuration > 0 {
		return *soakDuration
	}
	if env := os.Getenv("POOLPATCH_SOAK"); env != "" {
		d, err := time.ParseDuration(env)
		if err != nil {
			t.Fatalf("POOLPATCH_SOAK=%q: %v", env, err)
		}
		return d
	}
	return def
}
