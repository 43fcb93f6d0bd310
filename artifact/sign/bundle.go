package sign

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"
	"github.com/sigstore/rekor/pkg/generated/client"
	"github.com/sigstore/rekor/pkg/generated/models"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/mlc-project/mlc/artifact"
)

// bundleTypePrefix starts the artifactType of the referrer manifests cosign
// v3 (and cosign v2 with --new-bundle-format) attaches: one Sigstore bundle
// layer, e.g. application/vnd.dev.sigstore.bundle.v0.3+json.
const bundleTypePrefix = "application/vnd.dev.sigstore.bundle"

// verifyBundles checks the Sigstore bundles attached to digest as OCI 1.1
// referrers whose in-toto statement has predicateType. Bundles of other
// predicate types (attestations that are not signatures) are skipped.
func verifyBundles(ctx context.Context, st artifact.Store, digest v1.Hash, co *cosign.CheckOpts, predicateType string) (ok []Verified, fails []string, err error) {
	descs, err := st.Referrers(ctx, digest, "")
	if err != nil {
		return nil, nil, fmt.Errorf("listing referrers of %s@%s: %w", st.Location(), digest, err)
	}
	policy := verify.WithArtifactDigest(digest.Algorithm, digestBytes(digest))
	for _, d := range descs {
		if !maybeBundle(d) {
			continue
		}
		b, err := readBundle(ctx, st, d.Digest)
		if err != nil {
			fails = append(fails, err.Error())
			continue
		}
		if b == nil {
			continue
		}
		res, err := cosign.VerifyNewBundle(ctx, co, policy, b)
		if err != nil {
			fails = append(fails, fmt.Sprintf("bundle %s: %v", d.Digest, err))
			continue
		}
		if res.Statement == nil || res.Statement.GetPredicateType() != predicateType {
			continue
		}
		v := Verified{Format: "sigstore-bundle", Digest: d.Digest.String()}
		if res.Signature != nil && res.Signature.Certificate != nil {
			v.Signer = res.Signature.Certificate.SubjectAlternativeName
		}
		ok = append(ok, v)
	}
	return ok, fails, nil
}

// maybeBundle filters referrers by artifactType. Some registries (the
// go-containerregistry one among them) report the config media type
// instead of the manifest's artifactType, so the empty config also passes.
func maybeBundle(d v1.Descriptor) bool {
	return d.ArtifactType == "" || strings.HasPrefix(d.ArtifactType, bundleTypePrefix) ||
		d.ArtifactType == "application/vnd.oci.empty.v1+json"
}

// readBundle reads the Sigstore bundle held by the referrer manifest
// digest; nil when that manifest holds something else.
func readBundle(ctx context.Context, st artifact.Store, digest v1.Hash) (*sgbundle.Bundle, error) {
	raw, _, err := st.Manifest(ctx, digest)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", digest, err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", digest, err)
	}
	if len(m.Layers) != 1 || !strings.HasPrefix(string(m.Layers[0].MediaType), bundleTypePrefix) {
		return nil, nil
	}
	data, err := readBlob(ctx, st, m.Layers[0])
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", digest, err)
	}
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("bundle %s: not a Sigstore bundle: %w", digest, err)
	}
	return &b, nil
}

// bundleMediaType is the Sigstore bundle version cosign v3 writes.
const bundleMediaType = "application/vnd.dev.sigstore.bundle.v0.3+json"

// SignBundle signs the manifest digest names in st the way cosign v3 does by
// default (cosign v2 with --new-bundle-format): a DSSE-signed in-toto
// statement with cosign's sign predicate, in a Sigstore bundle attached as
// an OCI 1.1 referrer. With a key, a valid bundle by the same key already
// there means nothing is written.
func SignBundle(ctx context.Context, st artifact.Store, digest v1.Hash, s *Signer, tlog TlogOpts) (Outcome, error) {
	if _, _, err := st.Manifest(ctx, digest); err != nil {
		return Outcome{}, fmt.Errorf("signing %s@%s: %w", st.Location(), digest, err)
	}
	if !s.Keyless() {
		co := &cosign.CheckOpts{SigVerifier: s.sv, IgnoreTlog: true, TrustedMaterial: &root.BaseTrustedMaterial{}}
		ok, _, err := verifyBundles(ctx, st, digest, co, ctypes.CosignSignPredicateType)
		if err != nil {
			return Outcome{}, err
		}
		if len(ok) > 0 {
			return Outcome{Where: "Sigstore bundle referrer", AlreadySigned: true}, nil
		}
	}
	stmt, err := NewStatement(Subject{Digest: map[string]string{digest.Algorithm: digest.Hex}}, ctypes.CosignSignPredicateType, nil)
	if err != nil {
		return Outcome{}, err
	}
	b, err := s.bundle(ctx, stmt, tlog)
	if err != nil {
		return Outcome{}, err
	}
	ref, err := putReferrer(ctx, st, digest, b, ctypes.CosignSignPredicateType)
	if err != nil {
		return Outcome{}, err
	}
	return Outcome{Where: "Sigstore bundle referrer " + ref.String()}, nil
}

// bundle signs an in-toto statement into a Sigstore bundle: a DSSE
// envelope, the key hint or Fulcio certificate, the Rekor entry if any.
func (s *Signer) bundle(ctx context.Context, statement []byte, tlog TlogOpts) ([]byte, error) {
	envelope, err := s.dsse(ctx, statement)
	if err != nil {
		return nil, err
	}
	pub, err := s.sv.PublicKey()
	if err != nil {
		return nil, err
	}
	signer, err := s.signerPEM()
	if err != nil {
		return nil, err
	}
	var entry *models.LogEntryAnon
	if tlog.Upload {
		if entry, err = s.uploadToRekor(ctx, tlog.RekorURL, func(c *client.Rekor, signer []byte) (*models.LogEntryAnon, error) {
			return cosign.TLogUploadDSSEEnvelope(ctx, c, envelope, signer)
		}); err != nil {
			return nil, err
		}
	}
	return cbundle.MakeNewBundle(pub, entry, statement, envelope, signer, nil)
}

// putReferrer stores a bundle as an OCI 1.1 referrer of subject, the
// manifest shape cosign writes (empty config, one bundle layer).
func putReferrer(ctx context.Context, st artifact.Store, subject v1.Hash, bundle []byte, predicateType string) (v1.Hash, error) {
	_, subjectDesc, err := st.Manifest(ctx, subject)
	if err != nil {
		return v1.Hash{}, err
	}
	cfg, err := putSmallBlob(ctx, st, artifact.MediaTypeEmpty, []byte("{}"))
	if err != nil {
		return v1.Hash{}, err
	}
	layer, err := putSmallBlob(ctx, st, bundleMediaType, bundle)
	if err != nil {
		return v1.Hash{}, err
	}
	raw, err := json.Marshal(map[string]any{
		"schemaVersion": 2,
		"mediaType":     artifact.MediaTypeManifest,
		"artifactType":  bundleMediaType,
		"config":        cfg,
		"layers":        []v1.Descriptor{layer},
		"subject":       v1.Descriptor{MediaType: subjectDesc.MediaType, Digest: subject, Size: subjectDesc.Size},
		"annotations": map[string]string{
			"dev.sigstore.bundle.content":       "dsse-envelope",
			"dev.sigstore.bundle.predicateType": predicateType,
		},
	})
	if err != nil {
		return v1.Hash{}, err
	}
	desc, err := st.PutManifest(ctx, "", artifact.MediaTypeManifest, raw)
	if err != nil {
		return v1.Hash{}, fmt.Errorf("storing the bundle referrer of %s@%s: %w", st.Location(), subject, err)
	}
	return desc.Digest, nil
}

func putSmallBlob(ctx context.Context, st artifact.Store, mediaType string, b []byte) (v1.Descriptor, error) {
	d, size, err := v1.SHA256(bytes.NewReader(b))
	if err != nil {
		return v1.Descriptor{}, err
	}
	desc := v1.Descriptor{MediaType: types.MediaType(mediaType), Digest: d, Size: size}
	if err := st.PutBlob(ctx, desc, artifact.BytesOpener(b)); err != nil {
		return v1.Descriptor{}, fmt.Errorf("storing %s blob: %w", mediaType, err)
	}
	return desc, nil
}
