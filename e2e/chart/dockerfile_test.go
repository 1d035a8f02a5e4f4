package chart

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The image cannot be built on the development machines (no container
// engine), so these tests check what can be checked without one.

// dockerignorePatterns reads .dockerignore: one pattern a line, no
// exceptions ("!") expected.
func dockerignorePatterns(t testing.TB) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, ".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	var patterns []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "!") {
			t.Fatalf(".dockerignore exception %q: extend ignored() before using exceptions", line)
		}
		patterns = append(patterns, path.Clean(line))
	}
	return patterns
}

// ignored tells whether a slash-separated path relative to the context is
// excluded: a pattern matches the path or one of its parent directories, and
// a leading "**/" matches at any depth.
func ignored(patterns []string, rel string) bool {
	parts := strings.Split(rel, "/")
	for _, p := range patterns {
		anyDepth := strings.HasPrefix(p, "**/")
		p = strings.TrimPrefix(p, "**/")
		for end := 1; end <= len(parts); end++ {
			for start := 0; start < end; start++ {
				if start > 0 && !anyDepth {
					break
				}
				if ok, _ := path.Match(p, strings.Join(parts[start:end], "/")); ok {
					return true
				}
			}
		}
	}
	return false
}

func TestIgnored(t *testing.T) {
	patterns := []string{"e2e", "**/testdata", "**/*_test.go", "bin"}
	for _, tc := range []struct {
		path string
		want bool
	}{
		{"e2e/chart/doc.go", true},
		{"bin/helm", true},
		{"policy/testdata/x.yaml", true},
		{"policy/load_test.go", true},
		{"load_test.go", true},
		{"policy/load.go", false},
		{"cmd/poolpatch/main.go", false},
		{"internal/manifest/read.go", false},
		{"cmd/bin/x.go", false},
	} {
		t.Run(tc.path, func(t *testing.T) {
			if got := ignored(patterns, tc.path); got != tc.want {
				t.Errorf("ignored(%q) = %v, want %v", tc.path, got, tc.want)
			}
		})
	}
}

// TestDockerContext checks that every file the two binaries are compiled
// from (sources and embedded files of the module's own packages, for the
// image's platforms) is in the build context .dockerignore leaves.
func TestDockerContext(t *testing.T) {
	patterns := dockerignorePatterns(t)
	for _, goarch := range []string{"amd64", "arm64"} {
		t.Run(goarch, func(t *testing.T) {
			cmd := exec.Command("go", "list", "-deps", "-f",
				`{{if not .Standard}}{{range .GoFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{range .EmbedFiles}}{{$.Dir}}/{{.}}{{"\n"}}{{end}}{{end}}`,
				"./cmd/poolpatch", "./cmd/prepull")
			cmd.Dir = repoRoot
			cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH="+goarch, "CGO_ENABLED=0")
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			n := 0
			for _, f := range strings.Fields(string(out)) {
				rel, err := filepath.Rel(repoRoot, f)
				if err != nil || strings.HasPrefix(rel, "..") {
					continue // a dependency from the module cache
				}
				n++
				if ignored(patterns, filepath.ToSlash(rel)) {
					t.Errorf(".dockerignore excludes %s, which the image's binaries are built from", rel)
				}
			}
			for _, f := range []string{"go.mod", "go.sum"} {
				if ignored(patterns, f) {
					t.Errorf(".dockerignore excludes %s", f)
				}
			}
			if n == 0 {
				t.Fatal("go list found no source files of the module")
			}
		})
	}
}

// TestDockerfile checks the Dockerfile's contract line by line.
func TestDockerfile(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	for _, tc := range []struct {
		name string
		re   string
	}{
		{"base image is an argument without default", `(?m)^ARG BASE_IMAGE\s*$`},
		{"final stage from the base image", `(?m)^FROM \$\{BASE_IMAGE\}\s*$`},
		{"build stage on the build platform", `(?m)^FROM --platform=\$BUILDPLATFORM golang:1\.26 AS build$`},
		{"target platform arguments", `(?m)^ARG TARGETOS\n(?:.*\n)?ARG TARGETARCH$`},
		{"static poolpatch", `CGO_ENABLED=0 GOOS=\$TARGETOS GOARCH=\$TARGETARCH go build[^\n]*(?:\n[^\n]*)*-o /out/poolpatch \./cmd/poolpatch`},
		{"static prepull", `CGO_ENABLED=0 GOOS=\$TARGETOS GOARCH=\$TARGETARCH go build[^\n]*(?:\n[^\n]*)*-o /out/prepull \./cmd/prepull`},
		{"binaries in /usr/local/bin", `(?m)^COPY --from=build /out/poolpatch /out/prepull /usr/local/bin/$`},
		{"non-root user", `(?m)^USER 65532:65532$`},
		{"entrypoint", `(?m)^ENTRYPOINT \["/usr/local/bin/poolpatch"\]$`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !regexp.MustCompile(tc.re).MatchString(df) {
				t.Errorf("Dockerfile does not match %s", tc.re)
			}
		})
	}
	// No registry host may be hard-coded: images are short names or arguments.
	for _, line := range strings.Split(df, "\n") {
		if f := strings.Fields(line); len(f) > 1 && f[0] == "FROM" {
			img := f[len(f)-1]
			if f[len(f)-2] == "AS" {
				img = f[len(f)-3]
			}
			if first, _, ok := strings.Cut(img, "/"); ok && strings.ContainsAny(first, ".:") {
				t.Errorf("FROM names a registry host: %s", fmt.Sprint(img))
			}
		}
	}
}
