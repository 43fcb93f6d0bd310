package sign

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/sigstore/cosign/v2/cmd/cosign/cli/generate"
	"github.com/sigstore/cosign/v2/cmd/cosign/cli/options"
	cosignsign "github.com/sigstore/cosign/v2/cmd/cosign/cli/sign"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/providers"
	// Ambient OIDC identities for keyless signing: GitHub Actions, the
	// SIGSTORE_ID_TOKEN variable, and a mounted token file.
	_ "github.com/sigstore/cosign/v2/pkg/providers/envvar"
	_ "github.com/sigstore/cosign/v2/pkg/providers/filesystem"
	_ "github.com/sigstore/cosign/v2/pkg/providers/github"
	sigs "github.com/sigstore/cosign/v2/pkg/signature"
	"github.com/sigstore/cosign/v2/pkg/types"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"
	"github.com/sigstore/sigstore/pkg/signature/dsse"
	sigopts "github.com/sigstore/sigstore/pkg/signature/options"
)

// Sigstore's public-good instance, the defaults cosign uses.
const (
	DefaultFulcioURL  = options.DefaultFulcioURL
	DefaultRekorURL   = options.DefaultRekorURL
	DefaultOIDCIssuer = options.DefaultOIDCIssuerURL
)

// KeyOpts choose the signing identity, with cosign's semantics.
type KeyOpts struct {
	// Key is a private key reference as cosign takes it: a file path or
	// env://VAR (the PEM in an environment variable); KMS URIs work only
	// through sigstore-kms-* plugins on PATH (cosign's built-in KMS
	// providers are not compiled into mlc). Empty means keyless: an
	// ephemeral key certified by Fulcio for IDToken or the CI identity.
	Key string
	// Password returns the password of an encrypted key; nil reads
	// COSIGN_PASSWORD, then the terminal, like cosign.
	Password cosign.PassFunc

	// Keyless signing.
	IDToken    string // an OIDC identity token, or a path to a file holding one
	FulcioURL  string
	OIDCIssuer string
	// OIDCClientID is the client the token was issued to ("sigstore").
	OIDCClientID string
}

// ErrNoIdentity means neither a key nor an OIDC identity was available.
var ErrNoIdentity = errors.New("no signing identity: pass --key (a cosign private key: a file or env://VAR), " +
	"or sign keylessly with --identity-token or in CI with an OIDC identity (GitHub Actions with id-token: write)")

// Signer signs payloads; with a Fulcio certificate when keyless.
type Signer struct {
	sv *cosignsign.SignerVerifier
}

// NewSigner loads the key, or runs the keyless (Fulcio) flow, as cosign does.
func NewSigner(ctx context.Context, ko KeyOpts) (*Signer, error) {
	pass := ko.Password
	if pass == nil {
		pass = generate.GetPass
	}
	opts := options.KeyOpts{
		KeyRef:           ko.Key,
		PassFunc:         pass,
		IDToken:          ko.IDToken,
		FulcioURL:        orDefault(ko.FulcioURL, DefaultFulcioURL),
		OIDCIssuer:       orDefault(ko.OIDCIssuer, DefaultOIDCIssuer),
		OIDCClientID:     orDefault(ko.OIDCClientID, "sigstore"),
		SkipConfirmation: true,
	}
	if ko.Key == "" && ko.IDToken == "" && !providers.Enabled(ctx) {
		return nil, ErrNoIdentity
	}
	sv, ephemeral, err := cosignsign.SignerFromKeyOpts(ctx, "", "", opts)
	if err != nil {
		return nil, fmt.Errorf("loading signing key %q (its password comes from $COSIGN_PASSWORD): %w", ko.Key, err)
	}
	if ephemeral {
		sv, err = cosignsign.KeylessSigner(ctx, opts, sv)
		if err != nil {
			return nil, fmt.Errorf("keyless signing with Fulcio at %s: %w", opts.FulcioURL, err)
		}
	}
	return &Signer{sv: sv}, nil
}

// Keyless reports whether the signer holds a Fulcio certificate.
func (s *Signer) Keyless() bool { return s.sv.Cert != nil }

// dsse signs an in-toto statement into a DSSE envelope (JSON).
func (s *Signer) dsse(ctx context.Context, statement []byte) ([]byte, error) {
	env, err := dsse.WrapSigner(s.sv, types.IntotoPayloadType).SignMessage(bytes.NewReader(statement), sigopts.WithContext(ctx))
	if err != nil {
		return nil, fmt.Errorf("signing an in-toto statement: %w", err)
	}
	return env, nil
}

// signerPEM identifies the signer: its Fulcio certificate when keyless,
// else its public key.
func (s *Signer) signerPEM() ([]byte, error) {
	if s.sv.Cert != nil {
		return s.sv.Cert, nil
	}
	pub, err := s.sv.PublicKey()
	if err != nil {
		return nil, err
	}
	return cryptoutils.MarshalPublicKeyToPEM(pub)
}

// Close releases hardware or KMS keys.
func (s *Signer) Close() { s.sv.Close() }

// LoadVerifier loads a public key reference as cosign takes it: a file
// path or env://VAR.
func LoadVerifier(ctx context.Context, keyRef string) (signature.Verifier, error) {
	v, err := sigs.PublicKeyFromKeyRef(ctx, keyRef)
	if err != nil {
		return nil, fmt.Errorf("loading public key %q: %w", keyRef, err)
	}
	return v, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
