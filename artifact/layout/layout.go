// Package layout stores artifacts in an OCI image layout directory
// (oci-layout, index.json, blobs/sha256/...), the format oras --oci-layout
// and skopeo read. Tags are the org.opencontainers.image.ref.name
// annotations of index.json entries.
package layout

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/mlc-project/mlc/artifact/internal/notfound"
	"github.com/mlc-project/mlc/internal/atomicfile"
)

const (
	refNameAnnotation = "org.opencontainers.image.ref.name"
	layoutFile        = "oci-layout"
	indexFile         = "index.json"
	layoutVersion     = `{"imageLayoutVersion":"1.0.0"}`
)

// Store is an OCI image layout directory. It is safe for concurrent use
// within one process; index.json is replaced atomically.
type Store struct {
	dir string
	mu  sync.Mutex // serialises index.json read-modify-write
}

// New returns the layout store in dir. Nothing is created until a write.
func New(dir string) *Store { return &Store{dir: dir} }

// Location returns "oci:DIR".
func (s *Store) Location() string { return "oci:" + s.dir }

func (s *Store) blobPath(d v1.Hash) string {
	return filepath.Join(s.dir, "blobs", d.Algorithm, d.Hex)
}

// readIndex returns index.json; a missing layout is an empty index.
func (s *Store) readIndex() (*v1.IndexManifest, error) {
	b, err := os.ReadFile(filepath.Join(s.dir, indexFile))
	if errors.Is(err, fs.ErrNotExist) {
		return &v1.IndexManifest{SchemaVersion: 2, MediaType: types.OCIImageIndex}, nil
	}
	if err != nil {
		return nil, err
	}
	var idx v1.IndexManifest
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(s.dir, indexFile), err)
	}
	return &idx, nil
}

// Resolve finds a tag in index.json, or a manifest blob by digest.
func (s *Store) Resolve(ctx context.Context, tagOrDigest string) (v1.Descriptor, error) {
	if d, err := v1.NewHash(tagOrDigest); err == nil {
		_, desc, err := s.Manifest(ctx, d)
		return desc, err
	}
	idx, err := s.readIndex()
	if err != nil {
		return v1.Descriptor{}, err
	}
	for i := len(idx.Manifests) - 1; i >= 0; i-- {
		if idx.Manifests[i].Annotations[refNameAnnotation] == tagOrDigest {
			return idx.Manifests[i], nil
		}
	}
	return v1.Descriptor{}, notfound.Errorf("tag %q not found in %s", tagOrDigest, s.Location())
}

// Manifest reads a manifest blob and checks it against its digest.
func (s *Store) Manifest(_ context.Context, d v1.Hash) ([]byte, v1.Descriptor, error) {
	raw, err := os.ReadFile(s.blobPath(d))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, v1.Descriptor{}, notfound.Errorf("manifest %s not found in %s", d, s.Location())
	}
	if err != nil {
		return nil, v1.Descriptor{}, err
	}
	sum := sha256.Sum256(raw)
	if d.Algorithm != "sha256" || hex.EncodeToString(sum[:]) != d.Hex {
		return nil, v1.Descriptor{}, fmt.Errorf("manifest %s in %s does not match its digest (tampered or corrupt)", d, s.Location())
	}
	desc, err := describeManifest(raw)
	return raw, desc, err
}

// describeManifest builds a manifest's descriptor from its bytes.
func describeManifest(raw []byte) (v1.Descriptor, error) {
	var m struct {
		MediaType    types.MediaType `json:"mediaType"`
		ArtifactType string          `json:"artifactType"`
	}
	if err := json.Unmarshal(raw, &m); err != nil {
		return v1.Descriptor{}, fmt.Errorf("manifest is not JSON: %w", err)
	}
	d, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Descriptor{}, err
	}
	return v1.Descriptor{MediaType: m.MediaType, Digest: d, Size: size, ArtifactType: m.ArtifactType}, nil
}

// HasBlob reports whether blobs/ holds the digest.
func (s *Store) HasBlob(_ context.Context, d v1.Hash) (bool, error) {
	_, err := os.Stat(s.blobPath(d))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Blob opens a blob file.
func (s *Store) Blob(_ context.Context, d v1.Hash) (io.ReadCloser, error) {
	f, err := os.Open(s.blobPath(d))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, notfound.Errorf("blob %s not found in %s", d, s.Location())
	}
	return f, err
}

// PutBlob copies the blob into blobs/ through a temporary file, checking
// digest and size before the rename, so a reader never sees a partial blob.
func (s *Store) PutBlob(_ context.Context, desc v1.Descriptor, open func() (io.ReadCloser, error)) error {
	final := s.blobPath(desc.Digest)
	if st, err := os.Stat(final); err == nil && st.Size() == desc.Size {
		return nil
	}
	if err := s.init(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(final), 0o755); err != nil {
		return err
	}
	src, err := open()
	if err != nil {
		return err
	}
	defer src.Close()
	tmp, err := os.CreateTemp(filepath.Dir(final), ".tmp-"+desc.Digest.Hex)
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), src)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("writing blob %s: %w", desc.Digest, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != desc.Size || got != desc.Digest.Hex {
		return fmt.Errorf("blob content is sha256:%s (%d bytes), expected %s (%d bytes)", got, n, desc.Digest, desc.Size)
	}
	return os.Rename(tmp.Name(), final)
}

// PutManifest writes the manifest blob and records it in index.json, under
// the tag when one is given (an existing tag moves).
func (s *Store) PutManifest(ctx context.Context, tag string, mediaType string, raw []byte) (v1.Descriptor, error) {
	desc, err := describeManifest(raw)
	if err != nil {
		return v1.Descriptor{}, err
	}
	desc.MediaType = types.MediaType(mediaType)
	if err := s.PutBlob(ctx, desc, func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }); err != nil {
		return v1.Descriptor{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := s.lockIndex()
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("locking %s: %w", s.Location(), err)
	}
	defer unlock()
	idx, err := s.readIndex()
	if err != nil {
		return v1.Descriptor{}, err
	}
	entry := desc
	if tag != "" {
		entry.Annotations = map[string]string{refNameAnnotation: tag}
	}
	kept := idx.Manifests[:0]
	for _, m := range idx.Manifests {
		sameTag := tag != "" && m.Annotations[refNameAnnotation] == tag
		sameUntagged := m.Digest == desc.Digest && m.Annotations[refNameAnnotation] == tag
		if !sameTag && !sameUntagged {
			kept = append(kept, m)
		}
	}
	idx.Manifests = append(kept, entry)
	return desc, s.writeIndex(idx)
}

// Referrers scans the manifests index.json lists for a matching subject.
func (s *Store) Referrers(ctx context.Context, subject v1.Hash, artifactType string) ([]v1.Descriptor, error) {
	idx, err := s.readIndex()
	if err != nil {
		return nil, err
	}
	var out []v1.Descriptor
	seen := map[v1.Hash]bool{}
	for _, m := range idx.Manifests {
		if seen[m.Digest] {
			continue
		}
		seen[m.Digest] = true
		raw, _, err := s.Manifest(ctx, m.Digest)
		if err != nil {
			return nil, err
		}
		var mf struct {
			Subject      *v1.Descriptor    `json:"subject"`
			ArtifactType string            `json:"artifactType"`
			Annotations  map[string]string `json:"annotations"`
			Config       v1.Descriptor     `json:"config"`
		}
		if json.Unmarshal(raw, &mf) != nil || mf.Subject == nil || mf.Subject.Digest != subject {
			continue
		}
		at := mf.ArtifactType
		if at == "" {
			at = string(mf.Config.MediaType)
		}
		if artifactType != "" && at != artifactType {
			continue
		}
		out = append(out, v1.Descriptor{MediaType: m.MediaType, Digest: m.Digest, Size: m.Size, ArtifactType: at, Annotations: mf.Annotations})
	}
	return out, nil
}

// init writes the oci-layout marker of a new layout.
func (s *Store) init() error {
	p := filepath.Join(s.dir, layoutFile)
	if _, err := os.Stat(p); err == nil {
		return nil
	}
	if err := os.MkdirAll(s.dir, 0o755); err != nil {
		return err
	}
	return atomicfile.Write(p, []byte(layoutVersion))
}

func (s *Store) writeIndex(idx *v1.IndexManifest) error {
	b, err := json.MarshalIndent(idx, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(filepath.Join(s.dir, indexFile), b)
}
