package sign

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/cosign/v2/pkg/oci/empty"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/sign/signtest"
)

// stores runs f against an OCI layout and in-process registries with and
// without the referrers API.
func stores(t *testing.T, f func(t *testing.T, st artifact.Store)) {
	t.Run("layout", func(t *testing.T) { f(t, signtest.Layout(t)) })
	t.Run("registry", func(t *testing.T) {
		st, _ := signtest.Registry(t, "acme/model")
		f(t, st)
	})
	t.Run("registry without referrers API", func(t *testing.T) {
		f(t, signtest.RegistryWithoutReferrers(t, "acme/model"))
	})
}

func newSigner(t *testing.T, priv string) *Signer {
	t.Helper()
	s, err := NewSigner(context.Background(), KeyOpts{Key: priv, Password: signtest.PassFunc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func keyPolicy(t *testing.T, pub string) Policy {
	t.Helper()
	v, err := LoadVerifier(context.Background(), pub)
	if err != nil {
		t.Fatal(err)
	}
	return Policy{Key: v, IgnoreTlog: true}
}

// signFormats are the two ways to sign, by the Verified.Format they give.
var signFormats = map[string]func(context.Context, artifact.Store, v1.Hash, *Signer, TlogOpts) (Outcome, error){
	"cosign":          Sign,
	"sigstore-bundle": SignBundle,
}

func TestSignVerifyRoundTrip(t *testing.T) {
	priv, pub := signtest.KeyPair(t)
	priv2, pub2 := signtest.KeyPair(t)
	for format, signFn := range signFormats {
		t.Run(format, func(t *testing.T) {
			stores(t, func(t *testing.T, st artifact.Store) {
				ctx := context.Background()
				d := signtest.PutArtifact(t, st, "v1", "weights")
				s := newSigner(t, priv)
				if out, err := signFn(ctx, st, d, s, TlogOpts{}); err != nil || out.AlreadySigned {
					t.Fatalf("sign = %+v, %v", out, err)
				}
				got, err := Verify(ctx, st, d, keyPolicy(t, pub))
				if err != nil || len(got) != 1 || got[0].Format != format {
					t.Fatalf("Verify = %+v, %v; want one %s signature", got, err, format)
				}
				// Signing again with the same key adds nothing.
				if out, err := signFn(ctx, st, d, s, TlogOpts{}); err != nil || !out.AlreadySigned {
					t.Fatalf("second sign = %+v, %v; want AlreadySigned", out, err)
				}
				if got, err := Verify(ctx, st, d, keyPolicy(t, pub)); err != nil || len(got) != 1 {
					t.Fatalf("after signing twice Verify = %+v, %v; want one signature", got, err)
				}
				// A second key adds a second signature; both verify.
				if _, err := signFn(ctx, st, d, newSigner(t, priv2), TlogOpts{}); err != nil {
					t.Fatal(err)
				}
				for _, p := range []string{pub, pub2} {
					if _, err := Verify(ctx, st, d, keyPolicy(t, p)); err != nil {
						t.Fatalf("verify with %s: %v", p, err)
					}
				}
			})
		})
	}
}

func TestSignPayloadIsCosignSimpleSigning(t *testing.T) {
	priv, _ := signtest.KeyPair(t)
	st := signtest.Layout(t)
	d := signtest.PutArtifact(t, st, "v1", "weights")
	if _, err := Sign(context.Background(), st, d, newSigner(t, priv), TlogOpts{}); err != nil {
		t.Fatal(err)
	}
	sigs, err := readAttached(context.Background(), st, d, SignatureSuffix)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := sigs.Get()
	mt, _ := l[0].MediaType()
	ann, _ := l[0].Annotations()
	payload, _ := l[0].Payload()
	var p struct {
		Critical struct {
			Identity struct {
				DockerReference string `json:"docker-reference"`
			} `json:"identity"`
			Image struct {
				Digest string `json:"docker-manifest-digest"`
			} `json:"image"`
			Type string `json:"type"`
		} `json:"critical"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		t.Fatal(err)
	}
	if mt != "application/vnd.dev.cosign.simplesigning.v1+json" || ann["dev.cosignproject.cosign/signature"] == "" ||
		p.Critical.Type != "cosign container image signature" || p.Critical.Image.Digest != d.String() ||
		p.Critical.Identity.DockerReference != LayoutIdentity {
		t.Fatalf("signature layer %s %v payload %s is not cosign's simple signing for %s", mt, ann, payload, d)
	}
}

func TestVerifyRejects(t *testing.T) {
	priv, pub := signtest.KeyPair(t)
	_, otherPub := signtest.KeyPair(t)
	stores(t, func(t *testing.T, st artifact.Store) {
		ctx := context.Background()
		signed := signtest.PutArtifact(t, st, "signed", "weights")
		unsigned := signtest.PutArtifact(t, st, "unsigned", "other weights")
		s := newSigner(t, priv)
		if _, err := Sign(ctx, st, signed, s, TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		expectNotVerified := func(t *testing.T, d v1.Hash, p Policy, want string) {
			t.Helper()
			_, err := Verify(ctx, st, d, p)
			if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), want) {
				t.Fatalf("Verify = %v, want ErrNotVerified mentioning %q", err, want)
			}
		}
		t.Run("wrong key", func(t *testing.T) {
			expectNotVerified(t, signed, keyPolicy(t, otherPub), "invalid signature")
		})
		t.Run("unsigned", func(t *testing.T) {
			expectNotVerified(t, unsigned, keyPolicy(t, pub), "has no signatures")
		})
		t.Run("signature for another digest", func(t *testing.T) {
			// Copy the signed artifact's signature image to the unsigned one's tag.
			desc, err := st.Resolve(ctx, AttachedTag(signed, SignatureSuffix))
			if err != nil {
				t.Fatal(err)
			}
			raw, _, err := st.Manifest(ctx, desc.Digest)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.PutManifest(ctx, AttachedTag(unsigned, SignatureSuffix), string(desc.MediaType), raw); err != nil {
				t.Fatal(err)
			}
			expectNotVerified(t, unsigned, keyPolicy(t, pub), "invalid or missing digest in claim")
		})
		t.Run("tampered payload", func(t *testing.T) {
			sigs, err := readAttached(ctx, st, signed, SignatureSuffix)
			if err != nil {
				t.Fatal(err)
			}
			l, _ := sigs.Get()
			b64, _ := l[0].Base64Signature()
			payload, _ := l[0].Payload()
			forged, err := static.NewSignature([]byte(strings.Replace(string(payload), `"optional":null`, `"optional":{"approved":"yes"}`, 1)), b64)
			if err != nil {
				t.Fatal(err)
			}
			img, err := mutate.AppendSignatures(empty.Signatures(), false, forged)
			if err != nil {
				t.Fatal(err)
			}
			if err := writeAttached(ctx, st, signed, SignatureSuffix, img); err != nil {
				t.Fatal(err)
			}
			expectNotVerified(t, signed, keyPolicy(t, pub), "invalid signature")
		})
		t.Run("missing artifact", func(t *testing.T) {
			missing, _ := v1.NewHash("sha256:" + strings.Repeat("0", 64))
			_, err := Verify(ctx, st, missing, keyPolicy(t, pub))
			if !errors.Is(err, fs.ErrNotExist) || errors.Is(err, ErrNotVerified) {
				t.Fatalf("Verify of a missing manifest = %v, want fs.ErrNotExist", err)
			}
			if _, err := Sign(ctx, st, missing, s, TlogOpts{}); !errors.Is(err, fs.ErrNotExist) {
				t.Fatalf("Sign of a missing manifest = %v, want fs.ErrNotExist", err)
			}
		})
	})
}

func TestVerifyTamperedSignatureBlob(t *testing.T) {
	priv, pub := signtest.KeyPair(t)
	dir := filepath.Join(t.TempDir(), "store")
	st, err := artifact.Open(artifact.Ref{Layout: dir, Tag: "x"}, artifact.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	d := signtest.PutArtifact(t, st, "v1", "weights")
	if _, err := Sign(ctx, st, d, newSigner(t, priv), TlogOpts{}); err != nil {
		t.Fatal(err)
	}
	sigs, _ := readAttached(ctx, st, d, SignatureSuffix)
	l, _ := sigs.Get()
	ld, _ := l[0].Digest()
	blob := filepath.Join(dir, "blobs", "sha256", ld.Hex)
	payload, err := os.ReadFile(blob)
	if err != nil {
		t.Fatal(err)
	}
	tampered := strings.Replace(string(payload), d.Hex[:8], "00000000", 1)
	if err := os.WriteFile(blob, []byte(tampered), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Verify(ctx, st, d, keyPolicy(t, pub))
	if !errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "tampered") {
		t.Fatalf("Verify with a tampered signature blob = %v, want ErrNotVerified naming the tampering", err)
	}
}

func TestRegistryFaults(t *testing.T) {
	priv, pub := signtest.KeyPair(t)
	s := newSigner(t, priv)
	d, _ := v1.NewHash("sha256:" + strings.Repeat("a", 64))
	expectStoreError := func(t *testing.T, st artifact.Store, want string) {
		t.Helper()
		if _, err := Sign(context.Background(), st, d, s, TlogOpts{}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Sign = %v, want an error containing %q", err, want)
		}
		_, err := Verify(context.Background(), st, d, keyPolicy(t, pub))
		if err == nil || errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), want) {
			t.Errorf("Verify = %v, want a store error containing %q", err, want)
		}
	}
	t.Run("500", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "boom", http.StatusInternalServerError)
		}))
		defer srv.Close()
		expectStoreError(t, signtest.RemoteStore(t, srv.URL, "acme/model"), "500")
	})
	t.Run("down", func(t *testing.T) {
		st, srv := signtest.Registry(t, "acme/model")
		srv.Close()
		expectStoreError(t, st, "connect")
	})
	t.Run("referrers failing, .sig tag fine", func(t *testing.T) {
		reg := registry.New(registry.WithReferrersSupport(true), registry.Logger(log.New(io.Discard, "", 0)))
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/referrers/") {
				http.Error(w, "boom", http.StatusInternalServerError)
				return
			}
			reg.ServeHTTP(w, r)
		}))
		defer srv.Close()
		st := signtest.RemoteStore(t, srv.URL, "acme/model")
		d := signtest.PutArtifact(t, st, "v1", "weights")
		if _, err := Sign(context.Background(), st, d, s, TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		if _, err := Verify(context.Background(), st, d, keyPolicy(t, pub)); err != nil {
			t.Fatalf("Verify with a valid .sig and a failing referrers API = %v, want success", err)
		}
		other := signtest.PutArtifact(t, st, "v2", "other weights")
		if _, err := Verify(context.Background(), st, other, keyPolicy(t, pub)); err == nil || errors.Is(err, ErrNotVerified) || !strings.Contains(err.Error(), "500") {
			t.Fatalf("Verify of an unsigned artifact with a failing referrers API = %v, want the store error", err)
		}
	})
}

// attachBundle attaches a Sigstore bundle signed with priv, whose statement
// names subject and predicateType, as an OCI 1.1 referrer of target.
func attachBundle(t *testing.T, st artifact.Store, target, subject v1.Hash, priv, predicateType string) {
	t.Helper()
	ctx := context.Background()
	stmt := fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":%q}}],"predicateType":%q}`, subject.Hex, predicateType)
	b, err := newSigner(t, priv).bundle(ctx, []byte(stmt), TlogOpts{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := putReferrer(ctx, st, target, b, predicateType); err != nil {
		t.Fatal(err)
	}
}

func TestVerifySigstoreBundleReferrer(t *testing.T) {
	priv, pub := signtest.KeyPair(t)
	_, otherPub := signtest.KeyPair(t)
	stores(t, func(t *testing.T, st artifact.Store) {
		ctx := context.Background()
		d := signtest.PutArtifact(t, st, "v1", "weights")
		attachBundle(t, st, d, d, priv, ctypes.CosignSignPredicateType)
		got, err := Verify(ctx, st, d, keyPolicy(t, pub))
		if err != nil || len(got) != 1 || got[0].Format != "sigstore-bundle" {
			t.Fatalf("Verify = %+v, %v; want one sigstore-bundle signature", got, err)
		}
		if _, err := Verify(ctx, st, d, keyPolicy(t, otherPub)); !errors.Is(err, ErrNotVerified) {
			t.Fatalf("Verify with another key = %v, want ErrNotVerified", err)
		}

		// A bundle whose statement names another digest does not sign d2.
		d2 := signtest.PutArtifact(t, st, "v2", "other weights")
		attachBundle(t, st, d2, d, priv, ctypes.CosignSignPredicateType)
		if _, err := Verify(ctx, st, d2, keyPolicy(t, pub)); !errors.Is(err, ErrNotVerified) {
			t.Fatalf("Verify of a bundle for another digest = %v, want ErrNotVerified", err)
		}

		// An attestation bundle (another predicate) is not a signature.
		d3 := signtest.PutArtifact(t, st, "v3", "third weights")
		attachBundle(t, st, d3, d3, priv, "https://slsa.dev/provenance/v1")
		if _, err := Verify(ctx, st, d3, keyPolicy(t, pub)); !errors.Is(err, ErrNotVerified) {
			t.Fatalf("Verify with only an attestation bundle = %v, want ErrNotVerified", err)
		}
	})
}

func TestKeyRefs(t *testing.T) {
	priv, pub := signtest.KeyPair(t)
	ctx := context.Background()
	keyPEM, _ := os.ReadFile(priv)
	pubPEM, _ := os.ReadFile(pub)
	t.Setenv("MLC_TEST_COSIGN_KEY", string(keyPEM))
	t.Setenv("MLC_TEST_COSIGN_PUB", string(pubPEM))
	t.Setenv("COSIGN_PASSWORD", signtest.Password)

	st := signtest.Layout(t)
	d := signtest.PutArtifact(t, st, "v1", "weights")
	s, err := NewSigner(ctx, KeyOpts{Key: "env://MLC_TEST_COSIGN_KEY"}) // password from COSIGN_PASSWORD
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := Sign(ctx, st, d, s, TlogOpts{}); err != nil {
		t.Fatal(err)
	}
	v, err := LoadVerifier(ctx, "env://MLC_TEST_COSIGN_PUB")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(ctx, st, d, Policy{Key: v, IgnoreTlog: true}); err != nil {
		t.Fatal(err)
	}

	t.Setenv("COSIGN_PASSWORD", "wrong")
	if _, err := NewSigner(ctx, KeyOpts{Key: priv}); err == nil || !strings.Contains(err.Error(), priv) {
		t.Fatalf("NewSigner with a wrong password = %v, want an error naming the key", err)
	}
	if _, err := NewSigner(ctx, KeyOpts{Key: filepath.Join(t.TempDir(), "missing.key")}); err == nil {
		t.Fatal("NewSigner with a missing key file succeeded")
	}
	if _, err := NewSigner(ctx, KeyOpts{}); !errors.Is(err, ErrNoIdentity) {
		t.Fatalf("NewSigner without key or token = %v, want ErrNoIdentity", err)
	}
	if _, err := LoadVerifier(ctx, "env://MLC_TEST_UNSET_VAR"); err == nil {
		t.Fatal("LoadVerifier of an unset variable succeeded")
	}
}
