package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// fakeBinaries writes stand-ins for the cross-built binaries: the layout
// and the push do not look inside them (e2e/image checks the real ones).
func fakeBinaries(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range []string{"linux_amd64", "linux_arm64"} {
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
		for _, b := range []string{"poolpatch", "prepull"} {
			if err := os.WriteFile(filepath.Join(dir, p, b), []byte(p+"/"+b), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	return dir
}

// TestPushOnlyWhenAsked builds against an in-process registry: without
// -push nothing reaches it; with -push the index it serves is the one the
// layout holds.
func TestPushOnlyWhenAsked(t *testing.T) {
	var requests atomic.Int32
	reg := registry.New()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		reg.ServeHTTP(w, r)
	}))
	defer srv.Close()
	ref := strings.TrimPrefix(srv.URL, "http://") + "/poolpatch:test"
	bins := fakeBinaries(t)
	out := filepath.Join(t.TempDir(), "oci")
	args := []string{"-bin", bins, "-out", out, "-image", ref, "-source-date-epoch", "1700000000"}

	if err := run(context.Background(), args); err != nil {
		t.Fatal(err)
	}
	if n := requests.Load(); n != 0 {
		t.Fatalf("%d requests reached the registry without -push", n)
	}
	if err := run(context.Background(), append(args, "-push")); err != nil {
		t.Fatal(err)
	}
	p, err := layout.FromPath(out)
	if err != nil {
		t.Fatal(err)
	}
	top, err := p.ImageIndex()
	if err != nil {
		t.Fatal(err)
	}
	m, err := top.IndexManifest()
	if err != nil || len(m.Manifests) != 1 {
		t.Fatalf("layout index: %v, %+v", err, m)
	}
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := remote.Index(r)
	if err != nil {
		t.Fatal(err)
	}
	digest, err := pushed.Digest()
	if err != nil {
		t.Fatal(err)
	}
	if digest != m.Manifests[0].Digest {
		t.Errorf("registry serves %s, the layout holds %s", digest, m.Manifests[0].Digest)
	}
	pm, err := pushed.IndexManifest()
	if err != nil || len(pm.Manifests) != 2 {
		t.Fatalf("pushed index: %v, %d manifests", err, len(pm.Manifests))
	}
}
