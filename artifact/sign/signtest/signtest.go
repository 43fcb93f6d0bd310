// Package signtest holds test helpers for signing: throwaway cosign key
// pairs and artifact stores (an OCI layout and an in-process registry).
package signtest

import (
	"context"
	"encoding/json"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/cosign"

	"github.com/mlc-project/mlc/artifact"
)

// Password encrypts the private keys KeyPair writes.
const Password = "mlc-test-password"

// KeyPair writes a fresh cosign key pair (encrypted with Password) into a
// temporary directory and returns the paths of cosign.key and cosign.pub.
func KeyPair(t testing.TB) (priv, pub string) {
	t.Helper()
	keys, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(Password), nil })
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	priv, pub = filepath.Join(dir, "cosign.key"), filepath.Join(dir, "cosign.pub")
	if err := os.WriteFile(priv, keys.PrivateBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pub, keys.PublicBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	return priv, pub
}

// PassFunc returns Password, for signers loading a KeyPair key.
func PassFunc(bool) ([]byte, error) { return []byte(Password), nil }

// Layout returns an empty OCI image layout store.
func Layout(t testing.TB) artifact.Store {
	t.Helper()
	st, err := artifact.Open(artifact.Ref{Layout: filepath.Join(t.TempDir(), "store"), Tag: "x"}, artifact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// Registry starts an in-process registry with the OCI 1.1 referrers API on
// loopback and returns the store for repository repo in it, and the server
// (Close it to simulate an outage).
func Registry(t testing.TB, repo string) (artifact.Store, *httptest.Server) {
	t.Helper()
	return startRegistry(t, repo, registry.WithReferrersSupport(true))
}

// RegistryWithoutReferrers is Registry for a registry without the
// referrers API, where referrers live in the sha256-<hex> fallback tag.
func RegistryWithoutReferrers(t testing.TB, repo string) artifact.Store {
	t.Helper()
	st, _ := startRegistry(t, repo)
	return st
}

func startRegistry(t testing.TB, repo string, opts ...registry.Option) (artifact.Store, *httptest.Server) {
	t.Helper()
	opts = append(opts, registry.Logger(log.New(io.Discard, "", 0)))
	srv := httptest.NewServer(registry.New(opts...))
	t.Cleanup(srv.Close)
	return RemoteStore(t, srv.URL, repo), srv
}

// RemoteStore is the store for repository repo of the plain-HTTP registry
// at url (http://127.0.0.1:PORT).
func RemoteStore(t testing.TB, url, repo string) artifact.Store {
	t.Helper()
	host := strings.TrimPrefix(url, "http://")
	st, err := artifact.Open(artifact.Ref{Repository: host + "/" + repo, Tag: "x"}, artifact.Options{PlainHTTP: true, RetryDelay: 1})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// PutArtifact stores a one-layer model artifact holding content under tag and
// returns its manifest digest.
func PutArtifact(t testing.TB, st artifact.Store, tag, content string) v1.Hash {
	t.Helper()
	return PutAnnotatedArtifact(t, st, tag, content, nil)
}

// PutAnnotatedArtifact is PutArtifact with manifest annotations.
func PutAnnotatedArtifact(t testing.TB, st artifact.Store, tag, content string, annotations map[string]string) v1.Hash {
	t.Helper()
	ctx := context.Background()
	cfg := []byte("{}")
	cfgDesc := put(t, st, types.MediaType("application/vnd.oci.empty.v1+json"), cfg)
	layer := put(t, st, types.MediaType("application/vnd.mlc.test.v1"), []byte(content))
	m := map[string]any{
		"schemaVersion": 2,
		"mediaType":     types.OCIManifestSchema1,
		"artifactType":  artifact.ArtifactTypeModel,
		"config":        cfgDesc,
		"layers":        []v1.Descriptor{layer},
	}
	if annotations != nil {
		m["annotations"] = annotations
	}
	raw, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	desc, err := st.PutManifest(ctx, tag, string(types.OCIManifestSchema1), raw)
	if err != nil {
		t.Fatal(err)
	}
	return desc.Digest
}

func put(t testing.TB, st artifact.Store, mt types.MediaType, b []byte) v1.Descriptor {
	t.Helper()
	d, size, err := v1.SHA256(strings.NewReader(string(b)))
	if err != nil {
		t.Fatal(err)
	}
	desc := v1.Descriptor{MediaType: mt, Digest: d, Size: size}
	if err := st.PutBlob(context.Background(), desc, artifact.BytesOpener(b)); err != nil {
		t.Fatal(err)
	}
	return desc
}
