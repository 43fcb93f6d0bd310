package sign

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"

	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/cosign/env"
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
	"sigs.k8s.io/release-utils/version"
)

// Sigstore's public-good instance, the defaults cosign uses.
const (
	DefaultFulcioURL  = "https://fulcio.sigstore.dev"
	DefaultRekorURL   = "https://rekor.sigstore.dev"
	DefaultOIDCIssuer = "https://oauth2.sigstore.dev/auth"
)

// userAgent is the one cosign sends to Fulcio and Rekor.
var userAgent = fmt.Sprintf("cosign/%s (%s; %s)", version.GetVersionInfo().GitVersion, runtime.GOOS, runtime.GOARCH)

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
	sv *certSigner
}

// certSigner is a signing key with, when keyless, its Fulcio certificate
// and chain (PEM).
type certSigner struct {
	signature.SignerVerifier
	Cert, Chain []byte
}

// NewSigner loads the key, or runs the keyless (Fulcio) flow, as cosign does.
func NewSigner(ctx context.Context, ko KeyOpts) (*Signer, error) {
	if ko.Key != "" {
		pass := ko.Password
		if pass == nil {
			pass = readPassword
		}
		sv, err := sigs.SignerVerifierFromKeyRef(ctx, ko.Key, pass, nil)
		if err != nil {
			return nil, fmt.Errorf("loading signing key %q (its password comes from $COSIGN_PASSWORD): reading key: %w", ko.Key, err)
		}
		return &Signer{sv: &certSigner{SignerVerifier: sv}}, nil
	}
	if ko.IDToken == "" && !providers.Enabled(ctx) {
		return nil, ErrNoIdentity
	}
	fulcioURL := orDefault(ko.FulcioURL, DefaultFulcioURL)
	sv, err := keylessSigner(ctx, ko, fulcioURL)
	if err != nil {
		return nil, fmt.Errorf("keyless signing with Fulcio at %s: %w", fulcioURL, err)
	}
	return &Signer{sv: sv}, nil
}

// readPassword is cosign's: $COSIGN_PASSWORD, else the terminal, else
// piped standard input.
func readPassword(confirm bool) ([]byte, error) {
	if pw, ok := env.LookupEnv(env.VariablePassword); ok {
		return []byte(pw), nil
	}
	if cosign.IsTerminal() {
		return cosign.GetPassFromTerm(confirm)
	}
	return io.ReadAll(os.Stdin)
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

// Close releases the key. File, env:// and KMS plugin keys hold nothing;
// cosign's PKCS#11 keys, the ones that do, are not compiled into mlc.
func (s *Signer) Close() {}

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
