package sign

import (
	"context"
	"crypto"
	"fmt"
	"net/url"
	"os"
	"strings"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	"github.com/sigstore/cosign/v2/pkg/providers"
	"github.com/sigstore/fulcio/pkg/api"
	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/oauthflow"
	"github.com/sigstore/sigstore/pkg/signature"
	"golang.org/x/term"
)

// keylessSigner certifies an ephemeral ECDSA P-256 key with Fulcio's v1
// API for the caller's OIDC identity and checks the certificate's SCT, as
// cosign's sign.KeylessSigner does.
func keylessSigner(ctx context.Context, ko KeyOpts, fulcioURL string) (*certSigner, error) {
	fmt.Fprintln(os.Stderr, "Generating ephemeral keys...")
	priv, err := cosign.GeneratePrivateKey()
	if err != nil {
		return nil, fmt.Errorf("generating cert: %w", err)
	}
	sv, err := signature.LoadECDSASignerVerifier(priv, crypto.SHA256)
	if err != nil {
		return nil, err
	}
	server, err := url.Parse(fulcioURL)
	if err != nil {
		return nil, fmt.Errorf("getting key from Fulcio: creating Fulcio client: %w", err)
	}
	token, err := readIDToken(ctx, ko.IDToken)
	if err != nil {
		return nil, fmt.Errorf("getting key from Fulcio: reading id token: %w", err)
	}
	resp, err := signingCert(sv, token, orDefault(ko.OIDCIssuer, DefaultOIDCIssuer), orDefault(ko.OIDCClientID, "sigstore"),
		api.NewClient(server, api.WithUserAgent(userAgent)))
	if err != nil {
		return nil, fmt.Errorf("getting key from Fulcio: retrieving cert: %w", err)
	}
	pubs, err := cosign.GetCTLogPubs(ctx)
	if err != nil {
		return nil, fmt.Errorf("getting key from Fulcio: getting CTFE public keys: %w", err)
	}
	if err := cosign.VerifySCT(ctx, resp.CertPEM, resp.ChainPEM, resp.SCT, pubs); err != nil {
		return nil, fmt.Errorf("getting key from Fulcio: verifying SCT: %w", err)
	}
	fmt.Fprintln(os.Stderr, "Successfully verified SCT...")
	return &certSigner{SignerVerifier: sv, Cert: resp.CertPEM, Chain: resp.ChainPEM}, nil
}

// readIDToken takes tokOrPath as a token if it parses as one (RS256, as
// cosign checks), else as a file holding one; no token asks the ambient
// providers.
func readIDToken(ctx context.Context, tokOrPath string) (string, error) {
	tok := tokOrPath
	if _, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256}); err != nil && tok != "" {
		b, err := os.ReadFile(tok)
		if err != nil {
			return "", fmt.Errorf("getting id token: %w", err)
		}
		tok = string(b)
	}
	if tok == "" && providers.Enabled(ctx) {
		var err error
		if tok, err = providers.Provide(ctx, "sigstore"); err != nil {
			return "", fmt.Errorf("fetching ambient OIDC credentials: %w", err)
		}
	}
	return tok, nil
}

// signingCert asks Fulcio to certify sv's key for the identity, proving
// possession by signing the token's subject. Without a token it falls back
// to cosign's interactive flows with the issuer: a browser on a terminal,
// else the device flow.
func signingCert(sv signature.SignerVerifier, token, issuer, clientID string, fulcio api.LegacyClient) (*api.CertificateResponse, error) {
	var getter oauthflow.TokenGetter
	switch {
	case token != "":
		getter = &oauthflow.StaticTokenGetter{RawToken: token}
	case !term.IsTerminal(0):
		fmt.Fprintln(os.Stderr, "Non-interactive mode detected, using device flow.")
		getter = oauthflow.NewDeviceFlowTokenGetterForIssuer(issuer)
	default:
		fmt.Fprintln(os.Stderr, privacyStatement)
		getter = oauthflow.DefaultIDTokenGetter
	}
	tok, err := oauthflow.OIDConnect(issuer, clientID, "", "", getter)
	if err != nil {
		return nil, err
	}
	pub, err := sv.PublicKey()
	if err != nil {
		return nil, err
	}
	pubPEM, err := cryptoutils.MarshalPublicKeyToPEM(pub)
	if err != nil {
		return nil, err
	}
	proof, err := sv.SignMessage(strings.NewReader(tok.Subject))
	if err != nil {
		return nil, err
	}
	fmt.Fprintln(os.Stderr, "Retrieving signed certificate...")
	return fulcio.SigningCert(api.CertificateRequest{PublicKey: api.Key{Content: pubPEM}, SignedEmailAddress: proof}, tok.RawString)
}

// privacyStatement is what cosign shows before a browser login to Sigstore.
const privacyStatement = `
	The sigstore service, hosted by sigstore a Series of LF Projects, LLC, is provided pursuant to the Hosted Project Tools Terms of Use, available at https://lfprojects.org/policies/hosted-project-tools-terms-of-use/.
	Note that if your submission includes personal data associated with this signed artifact, it will be part of an immutable record.
	This may include the email address associated with the account with which you authenticate your contractual Agreement.
	This information will be used for signing this artifact and will be stored in public transparency logs and cannot be removed later, and is subject to the Immutable Record notice at https://lfprojects.org/policies/hosted-project-tools-immutable-records/.

By typing 'y', you attest that (1) you are not submitting the personal data of any other person; and (2) you understand and agree to the statement and the Agreement terms at the URLs listed above.`
