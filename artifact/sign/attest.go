package sign

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	cbundle "github.com/sigstore/cosign/v2/pkg/cosign/bundle"
	cremote "github.com/sigstore/cosign/v2/pkg/cosign/remote"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/oci/mutate"
	"github.com/sigstore/cosign/v2/pkg/oci/static"
	"github.com/sigstore/cosign/v2/pkg/types"
	"github.com/sigstore/rekor/pkg/generated/client"
	"github.com/sigstore/rekor/pkg/generated/models"

	"github.com/mlc-project/mlc/artifact"
)

// Attest signs an in-toto statement about the manifest digest names in st
// (a DSSE envelope) and attaches it as cosign v2 attaches attestations: a
// layer of the sha256-<hex>.att image with the predicateType annotation.
// It replaces an earlier attestation of the same predicate type, as
// `cosign attest --replace` does, so re-attesting leaves one; the same
// statement already signed by the same key is left alone (nothing written).
func Attest(ctx context.Context, st artifact.Store, digest v1.Hash, s *Signer, predicateType string, statement []byte, tlog TlogOpts) (Outcome, error) {
	out := Outcome{Where: AttachedTag(digest, AttestationSuffix)}
	if _, _, err := st.Manifest(ctx, digest); err != nil {
		return out, fmt.Errorf("attesting %s@%s: %w", st.Location(), digest, err)
	}
	existing, err := readAttached(ctx, st, digest, AttestationSuffix)
	if err != nil {
		return out, err
	}
	if out.AlreadySigned = s.attested(ctx, existing, digest, statement); out.AlreadySigned {
		return out, nil
	}
	envelope, err := s.dsse(ctx, statement)
	if err != nil {
		return out, err
	}
	opts := []static.Option{
		static.WithLayerMediaType(types.DssePayloadType),
		static.WithAnnotations(map[string]string{"predicateType": predicateType}),
	}
	if s.sv.Cert != nil {
		opts = append(opts, static.WithCertChain(s.sv.Cert, s.sv.Chain))
	}
	if tlog.Upload {
		entry, err := s.uploadToRekor(ctx, tlog.RekorURL, func(c *client.Rekor, signer []byte) (*models.LogEntryAnon, error) {
			return cosign.TLogUploadDSSEEnvelope(ctx, c, envelope, signer)
		})
		if err != nil {
			return out, err
		}
		opts = append(opts, static.WithBundle(cbundle.EntryToBundle(entry)))
	}
	att, err := static.NewAttestation(envelope, opts...)
	if err != nil {
		return out, err
	}
	kept, err := cremote.NewReplaceOp(predicateType).Replace(existing, att)
	if err != nil {
		return out, err
	}
	img, err := mutate.ReplaceSignatures(kept)
	if err != nil {
		return out, err
	}
	return out, writeAttached(ctx, st, digest, AttestationSuffix, img)
}

// attested reports whether atts holds statement, signed by this key.
// Keyless signers never match: each has a fresh key.
func (s *Signer) attested(ctx context.Context, atts oci.Signatures, digest v1.Hash, statement []byte) bool {
	if s.Keyless() {
		return false
	}
	co := &cosign.CheckOpts{SigVerifier: s.sv, IgnoreTlog: true, ClaimVerifier: cosign.IntotoSubjectClaimVerifier}
	checked, _, err := cosign.VerifyImageAttestation(ctx, atts, digest, co)
	if err != nil {
		return false
	}
	for _, a := range checked {
		if env, err := a.Payload(); err == nil && bytes.Equal(dssePayload(env), statement) {
			return true
		}
	}
	return false
}

// Statement is a verified in-toto statement, its predicate still raw.
type Statement struct {
	Type          string          `json:"_type"`
	PredicateType string          `json:"predicateType"`
	Subject       []Subject       `json:"subject"`
	Predicate     json.RawMessage `json:"predicate"`
}

// Subject is what a statement is about.
type Subject struct {
	Name   string            `json:"name"`
	Digest map[string]string `json:"digest"`
}

// VerifyAttestations returns the statements of predicateType attached to
// digest whose signature passes p and whose subject is digest. It fails
// with ErrNotVerified unless at least one does.
func VerifyAttestations(ctx context.Context, st artifact.Store, digest v1.Hash, p Policy, predicateType string) ([]Statement, error) {
	if _, _, err := st.Manifest(ctx, digest); err != nil {
		return nil, fmt.Errorf("verifying %s@%s: %w", st.Location(), digest, err)
	}
	co, err := p.checkOpts(ctx)
	if err != nil {
		return nil, err
	}
	co.ClaimVerifier = cosign.IntotoSubjectClaimVerifier
	atts, err := readAttached(ctx, st, digest, AttestationSuffix)
	if err != nil {
		return nil, err
	}
	list, err := atts.Get()
	if err != nil {
		return nil, fmt.Errorf("reading attestations of %s@%s: %w", st.Location(), digest, err)
	}
	if len(list) == 0 {
		return nil, fmt.Errorf("%w: %s@%s has no attestations (no %s tag)",
			ErrUnsigned, st.Location(), digest, AttachedTag(digest, AttestationSuffix))
	}
	checked, _, err := cosign.VerifyImageAttestation(ctx, atts, digest, co)
	if err != nil {
		return nil, fmt.Errorf("%w: attestations of %s@%s: %v", ErrNotVerified, st.Location(), digest, err)
	}
	var out []Statement
	for _, a := range checked {
		envelope, err := a.Payload()
		if err != nil {
			return nil, err
		}
		s, err := decodeStatement(envelope)
		if err != nil {
			return nil, err
		}
		if s.PredicateType == predicateType {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s@%s has no valid %s attestation", ErrNotVerified, st.Location(), digest, predicateType)
	}
	return out, nil
}

// dssePayload is the payload of a DSSE envelope, nil if it is not one.
func dssePayload(envelope []byte) []byte {
	var env struct {
		Payload string `json:"payload"`
	}
	if json.Unmarshal(envelope, &env) != nil {
		return nil
	}
	raw, err := base64.StdEncoding.DecodeString(env.Payload)
	if err != nil {
		return nil
	}
	return raw
}

// decodeStatement opens a DSSE envelope whose signature was verified.
func decodeStatement(envelope []byte) (Statement, error) {
	raw := dssePayload(envelope)
	if raw == nil {
		return Statement{}, errors.New("attestation is not a DSSE envelope")
	}
	var s Statement
	if err := json.Unmarshal(raw, &s); err != nil {
		return Statement{}, fmt.Errorf("attestation is not an in-toto statement: %w", err)
	}
	return s, nil
}
