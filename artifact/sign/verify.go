package sign

import (
	"context"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/oci"
	"github.com/sigstore/cosign/v2/pkg/types"
	"github.com/sigstore/sigstore-go/pkg/root"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/mlc-project/mlc/artifact"
)

// ErrNotVerified is wrapped by every error that means "no valid signature":
// the artifact is unsigned, or signed with another key, or tampered.
var ErrNotVerified = errors.New("signature not verified")

// ErrUnsigned means nothing is attached at all; it also matches
// ErrNotVerified.
var ErrUnsigned = fmt.Errorf("%w (unsigned)", ErrNotVerified)

// Policy says which signatures to accept.
type Policy struct {
	// Key verifies key-based signatures. Nil means keyless: the Fulcio
	// certificate must match Identity and Issuer (exact or regexp).
	Key            signature.Verifier
	Identity       string
	IdentityRegexp string
	Issuer         string
	IssuerRegexp   string
	// IgnoreTlog accepts signatures without a Rekor inclusion proof (the
	// offline mode, cosign's --insecure-ignore-tlog).
	IgnoreTlog bool
	// IgnoreSCT accepts Fulcio certificates without a certificate
	// transparency proof (cosign's --insecure-ignore-sct).
	IgnoreSCT bool
	// TrustedRoot is a Sigstore trusted_root.json (a private Sigstore, or
	// offline use); empty means Sigstore's public instance through TUF.
	TrustedRoot string
}

// Verified is one signature that passed.
type Verified struct {
	Format string // "cosign" (the .sig tag) or "sigstore-bundle" (OCI 1.1 referrer)
	// Signer is the certificate identity for keyless signatures.
	Signer string
	// Digest names the signature: its layer in the .sig image, or the
	// bundle's referrer manifest.
	Digest string
}

// Verify checks the signatures attached to the manifest digest names in st
// and returns those that pass. It fails with ErrNotVerified unless at least
// one does.
func Verify(ctx context.Context, st artifact.Store, digest v1.Hash, p Policy) ([]Verified, error) {
	if _, _, err := st.Manifest(ctx, digest); err != nil {
		return nil, fmt.Errorf("verifying %s@%s: %w", st.Location(), digest, err)
	}
	co, err := p.checkOpts(ctx)
	if err != nil {
		return nil, err
	}
	co.ClaimVerifier = cosign.SimpleClaimVerifier
	// Either format may hold the valid signature: a store error reading one
	// fails the verification only when the other holds none.
	ok, fails, storeErr := verifyTagged(ctx, st, digest, co)
	bundles, bundleFails, err := verifyBundles(ctx, st, digest, co, types.CosignSignPredicateType)
	ok, fails = append(ok, bundles...), append(fails, bundleFails...)
	switch {
	case len(ok) > 0:
		return ok, nil
	case storeErr != nil:
		return nil, storeErr
	case err != nil:
		return nil, err
	case len(fails) == 0:
		return nil, fmt.Errorf("%w: %s@%s has no signatures (no %s tag, no Sigstore bundle referrer)",
			ErrUnsigned, st.Location(), digest, AttachedTag(digest, SignatureSuffix))
	}
	return nil, fmt.Errorf("%w: none of the %d signatures of %s@%s passes: %s",
		ErrNotVerified, len(fails), st.Location(), digest, strings.Join(fails, "; "))
}

// verifyTagged checks the signatures in the cosign v2 .sig tag.
func verifyTagged(ctx context.Context, st artifact.Store, digest v1.Hash, co *cosign.CheckOpts) (ok []Verified, fails []string, err error) {
	sigs, err := readAttached(ctx, st, digest, SignatureSuffix)
	if err != nil {
		return nil, nil, err
	}
	list, err := sigs.Get()
	if err != nil {
		return nil, nil, fmt.Errorf("reading signatures of %s@%s: %w", st.Location(), digest, err)
	}
	for _, s := range list {
		if _, err := cosign.VerifyImageSignature(ctx, s, digest, co); err != nil {
			fails = append(fails, err.Error())
			continue
		}
		v := Verified{Format: "cosign", Signer: certIdentity(s)}
		if d, err := s.Digest(); err == nil {
			v.Digest = d.String()
		}
		ok = append(ok, v)
	}
	return ok, fails, nil
}

// checkOpts turns the policy into cosign's options.
func (p Policy) checkOpts(ctx context.Context) (*cosign.CheckOpts, error) {
	co := &cosign.CheckOpts{SigVerifier: p.Key, IgnoreTlog: p.IgnoreTlog, IgnoreSCT: p.Key != nil || p.IgnoreSCT}
	if p.Key == nil {
		if p.Identity == "" && p.IdentityRegexp == "" || p.Issuer == "" && p.IssuerRegexp == "" {
			return nil, errors.New("keyless verification needs --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp); or pass --key")
		}
		co.Identities = []cosign.Identity{{Subject: p.Identity, SubjectRegExp: p.IdentityRegexp, Issuer: p.Issuer, IssuerRegExp: p.IssuerRegexp}}
	}
	tm, err := p.trustedMaterial()
	if err != nil {
		return nil, err
	}
	co.TrustedMaterial = tm
	return co, nil
}

// trustedMaterial is what certificates, SCTs and log entries are checked
// against: the --trusted-root file, else Sigstore's public trust root (TUF,
// network or cache) when a certificate or a log entry must be checked. A
// key with no log needs none, so offline key verification never touches
// the network.
func (p Policy) trustedMaterial() (root.TrustedMaterial, error) {
	switch {
	case p.TrustedRoot != "":
		tr, err := root.NewTrustedRootFromPath(p.TrustedRoot)
		if err != nil {
			return nil, fmt.Errorf("trusted root %s: %w", p.TrustedRoot, err)
		}
		return tr, nil
	case p.Key != nil && p.IgnoreTlog:
		// sigstore-go wants trusted material even when the key is all we trust.
		return &root.BaseTrustedMaterial{}, nil
	}
	tm, err := cosign.TrustedRoot()
	if err != nil {
		return nil, fmt.Errorf("loading the Sigstore trust root (TUF): %w (offline, verify with --key and --insecure-ignore-tlog, or pass --trusted-root)", err)
	}
	return tm, nil
}

// certIdentity is the subject of a keyless signature's certificate.
func certIdentity(s oci.Signature) string {
	cert, err := s.Cert()
	if err != nil || cert == nil {
		return ""
	}
	return subjectOf(cert)
}

func subjectOf(cert *x509.Certificate) string {
	switch {
	case len(cert.EmailAddresses) > 0:
		return cert.EmailAddresses[0]
	case len(cert.URIs) > 0:
		return cert.URIs[0].String()
	}
	return cert.Subject.String()
}

func digestBytes(d v1.Hash) []byte {
	b, _ := hex.DecodeString(d.Hex) // v1.Hash guarantees hex
	return b
}
