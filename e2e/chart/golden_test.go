package chart

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// generatedKeyMaterial matches the values the chart generates at render time
// without cert-manager (base64 certificates and keys), which differ on every
// run.
var generatedKeyMaterial = regexp.MustCompile(`(?m)^(\s*(?:ca\.crt|tls\.crt|tls\.key|caBundle):) [A-Za-z0-9+/=]{64,}$`)

// maskGenerated replaces generated key material by a fixed marker.
func maskGenerated(b []byte) []byte {
	return generatedKeyMaterial.ReplaceAll(b, []byte("$1 MASKED"))
}

func TestTemplateGolden(t *testing.T) {
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			got := maskGenerated(render(t, releaseName, releaseNamespace, vs.values...))
			path := filepath.Join("testdata", "golden", vs.name+".yaml")
			if *update {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("helm template differs from %s (-want +got; run with -update if intended):\n%s", path, diff)
			}
		})
	}
}

// TestTemplateMasksOnlyGenerated guards the mask: outputs rendered twice
// without cert-manager differ before masking and agree after it.
func TestTemplateMasksOnlyGenerated(t *testing.T) {
	a := render(t, releaseName, releaseNamespace, valuesFile("nocertmanager.yaml"))
	b := render(t, releaseName, releaseNamespace, valuesFile("nocertmanager.yaml"))
	if string(a) == string(b) {
		t.Fatal("two renders without cert-manager are equal: no key material generated?")
	}
	if diff := cmp.Diff(string(maskGenerated(a)), string(maskGenerated(b))); diff != "" {
		t.Errorf("renders differ after masking (-first +second):\n%s", diff)
	}
	if n := len(generatedKeyMaterial.FindAll(a, -1)); n != 5 {
		t.Errorf("masked %d values, want 5 (Secret ca.crt, tls.crt, tls.key and two caBundles)", n)
	}
}
