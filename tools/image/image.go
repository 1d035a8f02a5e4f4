package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/layout"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// What the Dockerfile's final stage says: the same user, entrypoint and
// default command, so both ways of building give the same container.
const (
	user       = "65532:65532"
	entrypoint = "/usr/local/bin/poolpatch"
	defaultCmd = "serve"
)

func build(ctx context.Context, o options) error {
	ref, err := name.ParseReference(o.ref)
	if err != nil {
		return fmt.Errorf("-image %q: %w", o.ref, err)
	}
	base, err := baseLayer(o.created)
	if err != nil {
		return err
	}
	idx := mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, p := range o.platforms {
		platform, err := v1.ParsePlatform(p)
		if err != nil {
			return fmt.Errorf("platform %q: %w", p, err)
		}
		img, err := platformImage(o, base, platform)
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{
			Add:        img,
			Descriptor: v1.Descriptor{Platform: platform},
		})
	}
	digest, err := idx.Digest()
	if err != nil {
		return fmt.Errorf("index digest: %w", err)
	}
	if err := writeLayout(o.out, idx, ref); err != nil {
		return err
	}
	fmt.Printf("image: %s (%s) written to %s as an OCI image layout\n", ref, digest, o.out)
	if !o.push {
		return nil
	}
	if err := remote.WriteIndex(ref, idx, remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)); err != nil {
		return fmt.Errorf("push %s: %w", ref, err)
	}
	fmt.Printf("image: pushed %s@%s\n", ref.Context(), digest)
	return nil
}

// platformImage is the empty base, the shared base layer and the platform's
// binaries, with the Dockerfile's user and entrypoint.
func platformImage(o options, base v1.Layer, platform *v1.Platform) (v1.Image, error) {
	bins, err := binaryLayer(o.created, filepath.Join(o.binDir, platform.OS+"_"+platform.Architecture+variant(platform)))
	if err != nil {
		return nil, err
	}
	img := mutate.ConfigMediaType(mutate.MediaType(empty.Image, types.OCIManifestSchema1), types.OCIConfigJSON)
	img, err = mutate.AppendLayers(img, base, bins)
	if err != nil {
		return nil, fmt.Errorf("layers: %w", err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Variant = platform.OS, platform.Architecture, platform.Variant
	cf.Created = v1.Time{Time: o.created}
	cf.Config.User = user
	cf.Config.Entrypoint = []string{entrypoint}
	cf.Config.Cmd = []string{defaultCmd}
	cf.Config.WorkingDir = "/"
	cf.Config.Env = []string{"PATH=/usr/local/bin"}
	cf.Config.Labels = map[string]string{
		"org.opencontainers.image.title":    "poolpatch",
		"org.opencontainers.image.version":  o.version,
		"org.opencontainers.image.revision": o.revision,
		"org.opencontainers.image.created":  o.created.Format(time.RFC3339),
	}
	cf.History = nil
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	return mutate.CreatedAt(img, v1.Time{Time: o.created})
}

func variant(p *v1.Platform) string {
	if p.Variant == "" {
		return ""
	}
	return "_" + p.Variant
}

// writeLayout replaces dir with an OCI image layout whose index.json names
// the multi-platform index by the image reference, as skopeo and crane
// expect (oci:DIR:TAG).
func writeLayout(dir string, idx v1.ImageIndex, ref name.Reference) error {
	if err := os.RemoveAll(dir); err != nil {
		return fmt.Errorf("layout: %w", err)
	}
	p, err := layout.Write(dir, empty.Index)
	if err != nil {
		return fmt.Errorf("layout: %w", err)
	}
	annotations := map[string]string{"org.opencontainers.image.ref.name": refName(ref)}
	if err := p.AppendIndex(idx, layout.WithAnnotations(annotations)); err != nil {
		return fmt.Errorf("layout: %w", err)
	}
	return nil
}

// refName is the tag (or digest) that oci:DIR:NAME selects.
func refName(ref name.Reference) string {
	return ref.Identifier()
}
