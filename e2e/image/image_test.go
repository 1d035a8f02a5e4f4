package image

import (
	"archive/tar"
	"bytes"
	"debug/elf"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/poolpatch/poolpatch/internal/repo"
)

const (
	imageRef     = "poolpatch/poolpatch:e2e"
	imageVersion = "e2e-test"
)

// platforms the image must hold, with the ELF machine of each.
var platforms = map[string]elf.Machine{
	"linux/amd64": elf.EM_X86_64,
	"linux/arm64": elf.EM_AARCH64,
}

var (
	root     string    // repository root
	oci      layoutDir // the layout `make image` wrote, once per run
	buildOK  bool
	buildLog []byte
)

// TestMain runs `make image` once for the whole package: a cold arm64
// cross-build takes minutes.
func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	var err error
	if root, err = repo.Root(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "poolpatch-image-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("make", "-C", root, "image", "IMAGE_DIR="+dir, "IMAGE="+imageRef, "VERSION="+imageVersion)
	buildLog, err = cmd.CombinedOutput()
	buildOK = err == nil
	if err != nil {
		buildLog = append(buildLog, []byte(err.Error())...)
	}
	oci = layoutDir(filepath.Join(dir, "oci"))
	return m.Run()
}

// built fails the test when `make image` failed.
func built(t *testing.T) {
	t.Helper()
	if !buildOK {
		t.Fatalf("make image failed:\n%s", buildLog)
	}
}

// imageIndex returns the multi-platform index that index.json names.
func imageIndex(t *testing.T) index {
	t.Helper()
	built(t)
	data, err := os.ReadFile(filepath.Join(string(oci), "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	var top index
	if err := json.Unmarshal(data, &top); err != nil {
		t.Fatalf("index.json: %v", err)
	}
	if len(top.Manifests) != 1 || top.Manifests[0].MediaType != mediaIndex {
		t.Fatalf("index.json should name one image index, got %+v", top.Manifests)
	}
	if got, want := top.Manifests[0].Annotations["org.opencontainers.image.ref.name"], "e2e"; got != want {
		t.Errorf("ref.name = %q, want %q (the tag of IMAGE)", got, want)
	}
	var idx index
	oci.json(t, top.Manifests[0], &idx)
	if idx.SchemaVersion != 2 || idx.MediaType != mediaIndex {
		t.Errorf("index: schemaVersion %d, mediaType %q", idx.SchemaVersion, idx.MediaType)
	}
	return idx
}

func TestIndexPlatforms(t *testing.T) {
	idx := imageIndex(t)
	var got []string
	for _, d := range idx.Manifests {
		if d.Platform == nil {
			t.Errorf("manifest %s has no platform", d.Digest)
			continue
		}
		if d.MediaType != mediaManifest {
			t.Errorf("manifest %s: media type %q", d.Digest, d.MediaType)
		}
		got = append(got, d.Platform.OS+"/"+d.Platform.Architecture)
	}
	sort.Strings(got)
	if diff := cmp.Diff([]string{"linux/amd64", "linux/arm64"}, got); diff != "" {
		t.Errorf("platforms (-want +got):\n%s", diff)
	}
}

// dockerfileContract reads the final stage's USER, ENTRYPOINT and CMD: the
// image `make image` builds must run like the Dockerfile's.
func dockerfileContract(t *testing.T) (user string, entrypoint, cmd []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	df := string(data)
	u := regexp.MustCompile(`(?m)^USER (\S+)$`).FindStringSubmatch(df)
	e := regexp.MustCompile(`(?m)^ENTRYPOINT (\[.*\])$`).FindStringSubmatch(df)
	c := regexp.MustCompile(`(?m)^CMD (\[.*\])$`).FindStringSubmatch(df)
	if u == nil || e == nil || c == nil {
		t.Fatal("Dockerfile lacks USER, ENTRYPOINT or CMD")
	}
	if err := json.Unmarshal([]byte(e[1]), &entrypoint); err != nil {
		t.Fatalf("Dockerfile ENTRYPOINT: %v", err)
	}
	if err := json.Unmarshal([]byte(c[1]), &cmd); err != nil {
		t.Fatalf("Dockerfile CMD: %v", err)
	}
	return u[1], entrypoint, cmd
}

// TestPlatformImages checks each platform's configuration, layers, file
// system and binaries.
func TestPlatformImages(t *testing.T) {
	idx := imageIndex(t)
	user, entrypoint, cmd := dockerfileContract(t)
	if user != "65532:65532" || !slices.Equal(entrypoint, []string{"/usr/local/bin/poolpatch"}) {
		t.Fatalf("Dockerfile: USER %s ENTRYPOINT %q, want 65532:65532 and /usr/local/bin/poolpatch", user, entrypoint)
	}
	for _, d := range idx.Manifests {
		if d.Platform == nil {
			continue
		}
		platform := d.Platform.OS + "/" + d.Platform.Architecture
		t.Run(platform, func(t *testing.T) {
			var m manifest
			oci.json(t, d, &m)
			if m.MediaType != mediaManifest || m.Config.MediaType != mediaConfig {
				t.Errorf("manifest media type %q, config %q", m.MediaType, m.Config.MediaType)
			}
			var c config
			oci.json(t, m.Config, &c)
			if got := c.OS + "/" + c.Architecture; got != platform {
				t.Errorf("config is for %s, index says %s", got, platform)
			}
			if c.Config.User != user {
				t.Errorf("User = %q, want %q", c.Config.User, user)
			}
			if diff := cmp.Diff(entrypoint, c.Config.Entrypoint); diff != "" {
				t.Errorf("Entrypoint (-Dockerfile +image):\n%s", diff)
			}
			if diff := cmp.Diff(cmd, c.Config.Cmd); diff != "" {
				t.Errorf("Cmd (-Dockerfile +image):\n%s", diff)
			}
			if got := c.Config.Labels["org.opencontainers.image.version"]; got != imageVersion {
				t.Errorf("version label %q, want %q", got, imageVersion)
			}
			fs := fileSystem(t, m, c)
			checkFiles(t, fs)
			checkBinaries(t, fs, platforms[platform])
			if platform == runtime.GOOS+"/"+runtime.GOARCH {
				runBinaries(t, fs)
			}
		})
	}
}

// fileSystem unpacks the layers in order, checking each against its diff_id.
func fileSystem(t *testing.T, m manifest, c config) map[string]file {
	t.Helper()
	if c.RootFS.Type != "layers" || len(c.RootFS.DiffIDs) != len(m.Layers) {
		t.Fatalf("rootfs %q with %d diff_ids for %d layers", c.RootFS.Type, len(c.RootFS.DiffIDs), len(m.Layers))
	}
	fs := map[string]file{}
	for i, l := range m.Layers {
		if l.MediaType != mediaLayer {
			t.Errorf("layer %d: media type %q", i, l.MediaType)
		}
		diffID, err := unpack(oci.blob(t, l), fs)
		if err != nil {
			t.Fatalf("layer %d: %v", i, err)
		}
		if diffID != c.RootFS.DiffIDs[i] {
			t.Errorf("layer %d: diff_id %s, config says %s", i, diffID, c.RootFS.DiffIDs[i])
		}
	}
	return fs
}

// checkFiles: exactly the user database and the two binaries as regular
// files (so no shell), /tmp and the nonroot home as distroless has them.
func checkFiles(t *testing.T, fs map[string]file) {
	t.Helper()
	var regular []string
	for name, f := range fs {
		if f.hdr.Typeflag != tar.TypeDir {
			regular = append(regular, name)
		}
	}
	sort.Strings(regular)
	want := []string{"etc/group", "etc/passwd", "usr/local/bin/poolpatch", "usr/local/bin/prepull"}
	if diff := cmp.Diff(want, regular); diff != "" {
		t.Errorf("files other than directories (-want +got):\n%s", diff)
	}
	passwd := string(fs["etc/passwd"].data)
	var nonroot []string
	for _, line := range strings.Split(passwd, "\n") {
		if f := strings.Split(line, ":"); len(f) == 7 && f[2] == "65532" {
			nonroot = f
		}
	}
	if nonroot == nil || nonroot[3] != "65532" || nonroot[5] != "/home/nonroot" {
		t.Errorf("/etc/passwd has no nonroot user 65532:65532 with home /home/nonroot:\n%s", passwd)
	} else if _, ok := fs[strings.TrimPrefix(nonroot[6], "/")]; ok {
		t.Errorf("login shell %s exists in the image", nonroot[6])
	}
	if !regexp.MustCompile(`(?m)^nonroot:x:65532:$`).MatchString(string(fs["etc/group"].data)) {
		t.Errorf("/etc/group has no group 65532:\n%s", fs["etc/group"].data)
	}
	if tmp, ok := fs["tmp"]; !ok || tmp.hdr.Mode&0o7777 != 0o1777 {
		t.Errorf("/tmp missing or not 1777")
	}
	if home, ok := fs["home/nonroot"]; !ok || home.hdr.Uid != 65532 || home.hdr.Gid != 65532 {
		t.Errorf("/home/nonroot missing or not owned by 65532:65532")
	}
}

// checkBinaries: static executables (no interpreter, no shared library)
// for the platform's machine, executable by anyone.
func checkBinaries(t *testing.T, fs map[string]file, machine elf.Machine) {
	t.Helper()
	for _, name := range []string{"poolpatch", "prepull"} {
		f := fs["usr/local/bin/"+name]
		if f.hdr == nil {
			continue // reported by checkFiles
		}
		if f.hdr.Mode&0o111 != 0o111 {
			t.Errorf("%s: mode %o, not executable by all", name, f.hdr.Mode)
		}
		bin, err := elf.NewFile(bytes.NewReader(f.data))
		if err != nil {
			t.Errorf("%s: not an ELF file: %v", name, err)
			continue
		}
		if bin.Machine != machine || bin.Type != elf.ET_EXEC {
			t.Errorf("%s: %s %s, want a %s executable", name, bin.Machine, bin.Type, machine)
		}
		for _, p := range bin.Progs {
			if p.Type == elf.PT_INTERP || p.Type == elf.PT_DYNAMIC {
				t.Errorf("%s: has %s: dynamically linked", name, p.Type)
			}
		}
		if libs, _ := bin.ImportedLibraries(); len(libs) > 0 {
			t.Errorf("%s: needs shared libraries %v", name, libs)
		}
	}
}

// runBinaries runs the host platform's pair: the version is stamped, and
// the prepull no-op exits 0.
func runBinaries(t *testing.T, fs map[string]file) {
	t.Helper()
	dir := t.TempDir()
	for _, name := range []string{"poolpatch", "prepull"} {
		if err := os.WriteFile(filepath.Join(dir, name), fs["usr/local/bin/"+name].data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	out, err := exec.Command(filepath.Join(dir, "poolpatch"), "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "poolpatch "+imageVersion+" ") {
		t.Errorf("poolpatch version: %v: %q, want it to start with %q", err, out, "poolpatch "+imageVersion)
	}
	if out, err := exec.Command(filepath.Join(dir, "prepull")).CombinedOutput(); err != nil {
		t.Errorf("prepull: %v: %s", err, out)
	}
}
