package sign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/partial"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/empty"
	"github.com/sigstore/cosign/v2/pkg/oci/signature"

	"github.com/mlc-project/mlc/artifact"
)

// Cosign v2 keeps the signatures and attestations of a manifest in an image
// tagged after the manifest's digest in the same repository:
// sha256-<hex>.sig and sha256-<hex>.att, one layer per signature.
const (
	SignatureSuffix   = "sig"
	AttestationSuffix = "att"
)

// maxAttachedLayers bounds how many signatures mlc reads from one tag, as
// cosign does, so a hostile registry cannot make it read without end.
const maxAttachedLayers = 1000

// AttachedTag is the tag cosign v2 uses for what is attached to digest.
func AttachedTag(digest v1.Hash, suffix string) string {
	return digest.Algorithm + "-" + digest.Hex + "." + suffix
}

// readAttached returns the signatures (or attestations) attached to digest,
// an empty set when there are none yet.
func readAttached(ctx context.Context, st artifact.Store, digest v1.Hash, suffix string) (oci.Signatures, error) {
	tag := AttachedTag(digest, suffix)
	desc, err := st.Resolve(ctx, tag)
	if errors.Is(err, fs.ErrNotExist) {
		return empty.Signatures(), nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s:%s: %w", st.Location(), tag, err)
	}
	img, err := storeImage(ctx, st, desc.Digest)
	if err != nil {
		return nil, fmt.Errorf("reading %s:%s: %w", st.Location(), tag, err)
	}
	return &attached{Image: img}, nil
}

// writeAttached stores img (config, layers, manifest) under the attached tag.
func writeAttached(ctx context.Context, st artifact.Store, digest v1.Hash, suffix string, img v1.Image) error {
	layers, err := img.Layers()
	if err != nil {
		return err
	}
	for _, l := range layers {
		if err := putLayer(ctx, st, l); err != nil {
			return err
		}
	}
	cfg, err := img.RawConfigFile()
	if err != nil {
		return err
	}
	cfgName, err := img.ConfigName()
	if err != nil {
		return err
	}
	m, err := img.Manifest()
	if err != nil {
		return err
	}
	cfgDesc := v1.Descriptor{MediaType: m.Config.MediaType, Digest: cfgName, Size: int64(len(cfg))}
	if err := st.PutBlob(ctx, cfgDesc, artifact.BytesOpener(cfg)); err != nil {
		return fmt.Errorf("storing signature config: %w", err)
	}
	raw, err := img.RawManifest()
	if err != nil {
		return err
	}
	mt, err := img.MediaType()
	if err != nil {
		return err
	}
	tag := AttachedTag(digest, suffix)
	if _, err := st.PutManifest(ctx, tag, string(mt), raw); err != nil {
		return fmt.Errorf("storing %s:%s: %w", st.Location(), tag, err)
	}
	return nil
}

func putLayer(ctx context.Context, st artifact.Store, l v1.Layer) error {
	d, err := l.Digest()
	if err != nil {
		return err
	}
	size, err := l.Size()
	if err != nil {
		return err
	}
	mt, err := l.MediaType()
	if err != nil {
		return err
	}
	desc := v1.Descriptor{MediaType: mt, Digest: d, Size: size}
	if err := st.PutBlob(ctx, desc, l.Compressed); err != nil {
		return fmt.Errorf("storing signature layer %s: %w", d, err)
	}
	return nil
}

// attached is a cosign signature image read from a store; cosign's own
// implementation of oci.Signatures is private to its remote package.
type attached struct{ v1.Image }

var _ oci.Signatures = (*attached)(nil)

// Get returns one signature per layer, with the layer's annotations.
func (a *attached) Get() ([]oci.Signature, error) {
	m, err := a.Manifest()
	if err != nil {
		return nil, err
	}
	if len(m.Layers) > maxAttachedLayers {
		return nil, fmt.Errorf("%d signature layers, more than the %d mlc reads", len(m.Layers), maxAttachedLayers)
	}
	sigs := make([]oci.Signature, 0, len(m.Layers))
	for _, desc := range m.Layers {
		l, err := a.LayerByDigest(desc.Digest)
		if err != nil {
			return nil, err
		}
		sigs = append(sigs, signature.New(l, desc))
	}
	return sigs, nil
}

// storeImage is the image manifest digest names in st, its blobs read (and
// verified) on demand.
func storeImage(ctx context.Context, st artifact.Store, digest v1.Hash) (v1.Image, error) {
	raw, desc, err := st.Manifest(ctx, digest)
	if err != nil {
		return nil, err
	}
	if !desc.MediaType.IsImage() {
		return nil, fmt.Errorf("manifest %s has media type %s, want an image manifest", digest, desc.MediaType)
	}
	img, err := partial.CompressedToImage(&storeImageCore{ctx: ctx, st: st, raw: raw, mediaType: desc.MediaType})
	if err != nil {
		return nil, err
	}
	return img, nil
}

type storeImageCore struct {
	ctx       context.Context
	st        artifact.Store
	raw       []byte
	mediaType types.MediaType
}

func (c *storeImageCore) RawManifest() ([]byte, error)        { return c.raw, nil }
func (c *storeImageCore) MediaType() (types.MediaType, error) { return c.mediaType, nil }

func (c *storeImageCore) RawConfigFile() ([]byte, error) {
	m, err := v1.ParseManifest(bytes.NewReader(c.raw))
	if err != nil {
		return nil, err
	}
	return readBlob(c.ctx, c.st, m.Config)
}

func (c *storeImageCore) LayerByDigest(h v1.Hash) (partial.CompressedLayer, error) {
	m, err := v1.ParseManifest(bytes.NewReader(c.raw))
	if err != nil {
		return nil, err
	}
	for _, l := range m.Layers {
		if l.Digest == h {
			return &storeLayer{core: c, desc: l}, nil
		}
	}
	return nil, fmt.Errorf("manifest has no layer %s", h)
}

// storeLayer is a small signature layer, read whole and verified.
type storeLayer struct {
	core *storeImageCore
	desc v1.Descriptor
}

func (l *storeLayer) Digest() (v1.Hash, error)            { return l.desc.Digest, nil }
func (l *storeLayer) Size() (int64, error)                { return l.desc.Size, nil }
func (l *storeLayer) MediaType() (types.MediaType, error) { return l.desc.MediaType, nil }
func (l *storeLayer) Compressed() (io.ReadCloser, error) {
	b, err := readBlob(l.core.ctx, l.core.st, l.desc)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// maxSmallBlob bounds the signature payloads, bundles and configs mlc reads
// into memory.
const maxSmallBlob = 4 << 20

// readBlob reads a small blob whole and checks it against desc.
func readBlob(ctx context.Context, st artifact.Store, desc v1.Descriptor) ([]byte, error) {
	if desc.Size > maxSmallBlob {
		return nil, fmt.Errorf("blob %s is %d bytes, more than the %d a signature may hold", desc.Digest, desc.Size, maxSmallBlob)
	}
	rc, err := st.Blob(ctx, desc.Digest)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	b, err := io.ReadAll(artifact.VerifyBlob(rc, desc.Digest, desc.Size))
	if err != nil {
		return nil, fmt.Errorf("reading blob %s: %w", desc.Digest, err)
	}
	return b, nil
}
