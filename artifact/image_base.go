package artifact

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// baseImage is one platform's image of the base: what the app image starts from.
type baseImage struct {
	store     Store // nil for scratch
	name      string
	digest    v1.Hash // of this platform's manifest
	platform  v1.Platform
	config    *v1.ConfigFile
	layers    []v1.Descriptor
	fromIndex bool
}

// ParseImageRef reads an image reference as Docker does (python:3.12-slim
// is docker.io/library/python:3.12-slim), or oci:PATH:TAG for a layout.
// Unlike ParseRef it never means the local store.
func ParseImageRef(s string) (Ref, error) {
	if strings.HasPrefix(s, layoutScheme) {
		return ParseRef(s)
	}
	r, err := name.ParseReference(s)
	if err != nil {
		return Ref{}, fmt.Errorf("image reference %q: %w", s, err)
	}
	return refOf(r), nil
}

// openBase resolves the base image to one image per platform built.
func openBase(ctx context.Context, base string, platforms []string, opts Options) ([]*baseImage, error) {
	want := make([]v1.Platform, len(platforms))
	for i, p := range platforms {
		pl, err := v1.ParsePlatform(p)
		if err != nil || pl.OS == "" || pl.Architecture == "" {
			return nil, fmt.Errorf("platform %q: want OS/ARCH[/VARIANT], such as linux/amd64", p)
		}
		want[i] = *pl
	}
	if base == "" || base == Scratch {
		if len(want) == 0 {
			want = []v1.Platform{{OS: "linux", Architecture: "amd64"}}
		}
		var out []*baseImage
		for _, p := range want {
			cfg := &v1.ConfigFile{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant, RootFS: v1.RootFS{Type: "layers"}}
			out = append(out, &baseImage{platform: p, config: cfg, fromIndex: len(want) > 1})
		}
		return out, nil
	}
	ref, err := ParseImageRef(base)
	if err != nil {
		return nil, err
	}
	if ref.Digest == "" {
		ref.Tag = cmp.Or(ref.Tag, "latest") // Docker's default tag
	}
	store, err := Open(ref, opts)
	if err != nil {
		return nil, err
	}
	desc, err := store.Resolve(ctx, ref.Identifier())
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", base, err)
	}
	raw, desc, err := store.Manifest(ctx, desc.Digest)
	if err != nil {
		return nil, fmt.Errorf("base image %s: %w", base, err)
	}
	if !desc.MediaType.IsIndex() {
		b, err := readBase(ctx, store, base, desc.Digest, raw)
		if err != nil {
			return nil, err
		}
		if len(want) > 0 && !slices.ContainsFunc(want, b.platform.Satisfies) {
			return nil, fmt.Errorf("base image %s is for %s only, not %s", base, b.platform, strings.Join(platforms, ", "))
		}
		return []*baseImage{b}, nil
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(raw, &idx); err != nil {
		return nil, fmt.Errorf("base image %s: index is not JSON: %w", base, err)
	}
	var out []*baseImage
	for _, m := range idx.Manifests {
		if m.Platform == nil || m.Platform.OS == "unknown" || m.MediaType.IsIndex() {
			continue // attestations and nested indexes carry no filesystem
		}
		if len(want) > 0 && !slices.ContainsFunc(want, m.Platform.Satisfies) {
			continue
		}
		raw, _, err := store.Manifest(ctx, m.Digest)
		if err != nil {
			return nil, fmt.Errorf("base image %s (%s): %w", base, m.Platform, err)
		}
		b, err := readBase(ctx, store, base, m.Digest, raw)
		if err != nil {
			return nil, err
		}
		b.platform, b.fromIndex = *m.Platform, true
		out = append(out, b)
	}
	if len(out) == 0 && len(platforms) == 0 {
		return nil, fmt.Errorf("base image %s is an index that lists no image with a platform", base)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("base image %s has no image for %s", base, strings.Join(platforms, ", "))
	}
	return out, nil
}

// maxImageConfig bounds the base config read into memory.
const maxImageConfig = 8 << 20

// readBase reads one platform's manifest and config of the base.
func readBase(ctx context.Context, store Store, base string, digest v1.Hash, raw []byte) (*baseImage, error) {
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("base image %s: manifest is not JSON: %w", base, err)
	}
	if !m.Config.MediaType.IsConfig() || m.Config.Size > maxImageConfig {
		return nil, fmt.Errorf("base image %s: %s is not a container image (config %s)", base, digest, m.Config.MediaType)
	}
	rc, err := store.Blob(ctx, m.Config.Digest)
	if err != nil {
		return nil, fmt.Errorf("base image %s: config: %w", base, err)
	}
	defer rc.Close()
	rawCfg, err := io.ReadAll(VerifyBlob(rc, m.Config.Digest, m.Config.Size))
	if err != nil {
		return nil, fmt.Errorf("base image %s: config: %w", base, err)
	}
	var cfg v1.ConfigFile
	if err := json.Unmarshal(rawCfg, &cfg); err != nil {
		return nil, fmt.Errorf("base image %s: config is not JSON: %w", base, err)
	}
	if len(cfg.RootFS.DiffIDs) != len(m.Layers) {
		return nil, fmt.Errorf("base image %s: %d layers but %d diff IDs in its config", base, len(m.Layers), len(cfg.RootFS.DiffIDs))
	}
	b := &baseImage{store: store, name: baseName(store, base), digest: digest, config: &cfg,
		platform: v1.Platform{OS: cfg.OS, Architecture: cfg.Architecture, Variant: cfg.Variant}}
	for _, l := range m.Layers {
		l.MediaType = ociLayerType(l.MediaType)
		if !l.MediaType.IsLayer() {
			return nil, fmt.Errorf("base image %s: layer %s has media type %s, not a filesystem layer", base, l.Digest, l.MediaType)
		}
		b.layers = append(b.layers, l)
	}
	return b, nil
}

// baseName is the base's repository as a user reads it.
func baseName(store Store, base string) string {
	if strings.HasPrefix(base, layoutScheme) {
		return base
	}
	return store.Location()
}

// ociLayerType maps a Docker layer media type to the OCI type of the same
// bytes, so the app image is one format throughout.
func ociLayerType(mt types.MediaType) types.MediaType {
	switch mt {
	case types.DockerLayer:
		return types.OCILayer
	case types.DockerUncompressedLayer:
		return MediaTypeImageLayer
	}
	return mt
}

// copyLayers makes the target hold the base's layers: nothing when it has
// them, a cross-repository mount within one registry, else a verified copy.
func (b *baseImage) copyLayers(ctx context.Context, bp *blobPusher) error {
	if b.store == nil {
		return nil
	}
	mounter, canMount := bp.store.(Mounter)
	sameRegistry := registryHost(b.store.Location()) == registryHost(bp.store.Location()) && !strings.HasPrefix(b.store.Location(), layoutScheme)
	for _, l := range b.layers {
		if !l.MediaType.IsDistributable() {
			continue // foreign layers are fetched from their URLs by the runtime
		}
		open := func() (io.ReadCloser, error) {
			rc, err := b.store.Blob(ctx, l.Digest)
			if err != nil {
				return nil, err
			}
			return struct {
				io.Reader
				io.Closer
			}{VerifyBlob(rc, l.Digest, l.Size), rc}, nil
		}
		var err error
		if canMount && sameRegistry {
			err = mounter.PutBlobMounting(ctx, l, bp.counted(open), b.store.Location())
		} else {
			err = bp.store.PutBlob(ctx, l, bp.counted(open))
		}
		if err != nil {
			return fmt.Errorf("copying base layer %s of %s: %w", l.Digest, b.name, err)
		}
	}
	return nil
}

// registryHost is the host part of a repository.
func registryHost(repo string) string {
	host, _, _ := strings.Cut(repo, "/")
	return host
}
