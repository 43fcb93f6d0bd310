package artifact

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// storesUnderTest opens one repository of each backend; the registry
// variant without the referrers API exercises the tag-schema fallback.
func storesUnderTest(t *testing.T) map[string]Store {
	t.Helper()
	open := func(ref Ref) Store {
		s, err := Open(ref, testOptions())
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	old := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(old.Close)
	oldRef, _ := ParseRef(strings.TrimPrefix(old.URL, "http://") + "/ml/s:v1")
	return map[string]Store{
		"layout":                 open(layoutRef(t, "v1")),
		"registry":               open(newTestRegistry(t).ref(t, "ml/s:v1")),
		"registry, tag fallback": open(oldRef),
	}
}

func TestStoreContract(t *testing.T) {
	ctx := context.Background()
	for name, s := range storesUnderTest(t) {
		t.Run(name, func(t *testing.T) {
			payload := blob{mediaType: "application/octet-stream", content: []byte("payload")}
			d := payload.descriptor()
			if ok, err := s.HasBlob(ctx, d.Digest); ok || err != nil {
				t.Fatalf("HasBlob before put = %v, %v", ok, err)
			}
			if _, err := s.Blob(ctx, d.Digest); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Blob of a missing digest: %v, want not found", err)
			}
			if err := s.PutBlob(ctx, d, BytesOpener(payload.content)); err != nil {
				t.Fatal(err)
			}
			if ok, err := s.HasBlob(ctx, d.Digest); !ok || err != nil {
				t.Fatalf("HasBlob after put = %v, %v", ok, err)
			}
			rc, err := s.Blob(ctx, d.Digest)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(VerifyBlob(rc, d.Digest, d.Size))
			rc.Close()
			if err != nil || string(got) != "payload" {
				t.Errorf("Blob = %q, %v", got, err)
			}
			if err := s.PutBlob(ctx, blob{content: []byte("x")}.descriptor(), BytesOpener([]byte("not x"))); err == nil {
				t.Error("PutBlob accepted content that does not match the digest")
			}

			cfg := emptyConfigBlob()
			if err := s.PutBlob(ctx, cfg.descriptor(), BytesOpener(cfg.content)); err != nil {
				t.Fatal(err)
			}
			subject := manifestBytes(t, "application/vnd.test.subject", nil, d)
			subDesc, err := s.PutManifest(ctx, "v1", MediaTypeManifest, subject)
			if err != nil {
				t.Fatal(err)
			}
			if r, err := s.Resolve(ctx, "v1"); err != nil || r.Digest != subDesc.Digest {
				t.Fatalf("Resolve(v1) = %v, %v; want %s", r.Digest, err, subDesc.Digest)
			}
			raw, desc, err := s.Manifest(ctx, subDesc.Digest)
			if err != nil || string(raw) != string(subject) || desc.ArtifactType != "application/vnd.test.subject" {
				t.Fatalf("Manifest = %s, %+v, %v", raw, desc, err)
			}
			if _, err := s.Resolve(ctx, "v2"); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("Resolve of a missing tag: %v, want not found", err)
			}

			// Two referrers of different types, stored by digest only.
			for _, at := range []string{"application/vnd.test.sig", "application/vnd.test.att"} {
				m := manifestBytes(t, at, &subDesc, d)
				if _, err := s.PutManifest(ctx, "", MediaTypeManifest, m); err != nil {
					t.Fatal(err)
				}
			}
			all, err := s.Referrers(ctx, subDesc.Digest, "")
			if err != nil || len(all) != 2 {
				t.Fatalf("Referrers = %v, %v; want 2", all, err)
			}
			sigs, err := s.Referrers(ctx, subDesc.Digest, "application/vnd.test.sig")
			if err != nil || len(sigs) != 1 || sigs[0].ArtifactType != "application/vnd.test.sig" {
				t.Errorf("Referrers(sig) = %+v, %v", sigs, err)
			}
			// A cosign-style tag can name a manifest too.
			if _, err := s.PutManifest(ctx, "sha256-"+subDesc.Digest.Hex+".sig", MediaTypeManifest, subject); err != nil {
				t.Errorf("tagging with a cosign signature tag: %v", err)
			}
		})
	}
}

// manifestBytes is an artifact manifest of one layer, with an optional
// subject.
func manifestBytes(t *testing.T, artifactType string, subject *v1.Descriptor, layer v1.Descriptor) []byte {
	t.Helper()
	m := v1.Manifest{SchemaVersion: 2, MediaType: MediaTypeManifest, ArtifactType: artifactType,
		Config: emptyConfigBlob().descriptor(), Layers: []v1.Descriptor{layer}, Subject: subject}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestLayoutIndexIsAtomicAndReadable(t *testing.T) {
	ref := layoutRef(t, "v1")
	putArtifact(t, ref, emptyConfigBlob(), blob{mediaType: "application/octet-stream", content: []byte("a")})
	matches, _ := filepath.Glob(filepath.Join(ref.Layout, ".tmp-*"))
	if len(matches) != 0 {
		t.Errorf("temporary files left in the layout: %v", matches)
	}
	for _, f := range []string{"oci-layout", "index.json"} {
		if _, err := os.Stat(filepath.Join(ref.Layout, f)); err != nil {
			t.Errorf("layout lacks %s: %v", f, err)
		}
	}
}

// Parallel pushes to one layout (here goroutines with their own Store,
// as separate processes would have) keep every tag.
func TestLayoutConcurrentTags(t *testing.T) {
	ref := layoutRef(t, "x")
	cfg := emptyConfigBlob()
	done := make(chan error)
	for i := range 8 {
		go func() {
			s, _ := Open(ref, Options{})
			if err := s.PutBlob(context.Background(), cfg.descriptor(), BytesOpener(cfg.content)); err != nil {
				done <- err
				return
			}
			m := manifestBytes(t, "application/vnd.test."+string(rune('a'+i)), nil, cfg.descriptor())
			_, err := s.PutManifest(context.Background(), "t"+string(rune('a'+i)), MediaTypeManifest, m)
			done <- err
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	s, _ := Open(ref, Options{})
	for i := range 8 {
		if _, err := s.Resolve(context.Background(), "t"+string(rune('a'+i))); err != nil {
			t.Errorf("tag lost: %v", err)
		}
	}
}
