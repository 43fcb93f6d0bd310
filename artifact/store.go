package artifact

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Store is one repository of artifacts: a registry repository or an OCI
// image layout directory. It is all that push, pull, promote and signing
// need; backends live in artifact/layout and artifact/remote.
//
// Errors for a missing tag, manifest or blob satisfy
// errors.Is(err, fs.ErrNotExist).
type Store interface {
	// Location is the store part of a reference: a repository such as
	// ghcr.io/acme/ml/credit, or oci:PATH for a layout.
	Location() string

	// Resolve returns the descriptor of the manifest a tag or a digest
	// ("sha256:<hex>") names.
	Resolve(ctx context.Context, tagOrDigest string) (v1.Descriptor, error)

	// Manifest returns the raw manifest with the given digest, verified
	// against it, and its descriptor (media type, size, artifactType).
	Manifest(ctx context.Context, digest v1.Hash) ([]byte, v1.Descriptor, error)

	// HasBlob reports whether the store already holds the blob.
	HasBlob(ctx context.Context, digest v1.Hash) (bool, error)

	// Blob streams a blob. The reader is not verified: wrap it with
	// VerifyBlob before trusting the bytes.
	Blob(ctx context.Context, digest v1.Hash) (io.ReadCloser, error)

	// PutBlob stores the blob desc names (digest and size known up front)
	// unless the store already holds it. open may be called more than once
	// (a retried upload starts over), each time streaming the content from
	// the start.
	PutBlob(ctx context.Context, desc v1.Descriptor, open Opener) error

	// PutManifest stores a manifest and returns its descriptor. With a tag,
	// the tag then points at it (moving the tag if it existed); with an
	// empty tag it is stored by digest only. A manifest with a subject is
	// also listed by Referrers of that subject.
	PutManifest(ctx context.Context, tag string, mediaType string, raw []byte) (v1.Descriptor, error)

	// Referrers lists the manifests whose subject is the given digest
	// (OCI 1.1 referrers API, falling back to the sha256-<hex> tag schema),
	// optionally only those of one artifactType ("" for all).
	Referrers(ctx context.Context, subject v1.Hash, artifactType string) ([]v1.Descriptor, error)
}

// Mounter is implemented by stores that can mount a blob from another
// repository of the same registry instead of uploading it again.
type Mounter interface {
	// PutBlobMounting is PutBlob that first asks the registry to mount the
	// blob from repository from (a full repository name such as
	// ghcr.io/acme/ml/other) and uploads it only when the registry declines.
	PutBlobMounting(ctx context.Context, desc v1.Descriptor, open Opener, from string) error
}

// Streamer is implemented by stores that can take a blob whose digest is
// still being computed. A registry upload then overlaps the hashing of a
// large file instead of waiting for it.
type Streamer interface {
	// PutBlobHashing stores the blob of desc (size and media type set, the
	// digest not yet known) while digest computes the digest from its own
	// read of the content, and returns that digest. Once the digest is
	// known, a blob the store already holds ends the upload early. open is
	// as for PutBlob.
	PutBlobHashing(ctx context.Context, desc v1.Descriptor, open Opener, digest func(context.Context) (v1.Hash, error)) (v1.Hash, error)
}

// Opener opens a blob's content from its start. It is an alias so backends
// implement Store without importing this package.
type Opener = func() (io.ReadCloser, error)

// BytesOpener is an Opener over an in-memory blob (manifests, configs,
// signature payloads).
func BytesOpener(b []byte) Opener {
	return func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
}

// Options configure how a store is reached. The zero value is right for a
// registry over HTTPS with credentials from the Docker config.
type Options struct {
	// PlainHTTP talks HTTP instead of HTTPS; only for loopback registries.
	PlainHTTP bool
	// Insecure accepts any TLS certificate.
	Insecure bool
	// Transport replaces the HTTP transport (tests count bytes or inject
	// faults with it); retries and auth are layered on top.
	Transport http.RoundTripper
	// Jobs is how many blobs move in parallel; 0 means a default.
	Jobs int
	// RetryDelay is the wait before the first retry of a transient
	// registry error (5xx, connection reset); later waits grow. 0 means 1s.
	RetryDelay time.Duration
}
