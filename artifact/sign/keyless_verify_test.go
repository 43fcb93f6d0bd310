package sign

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/base64"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/sigstore/sigstore/pkg/cryptoutils"
	"github.com/sigstore/sigstore/pkg/signature"

	"github.com/mlc-project/mlc/artifact/sign/signtest"
)

// fulcioIssuerOID is Fulcio's certificate extension naming the OIDC issuer.
var fulcioIssuerOID = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 57264, 1, 1}

// testCA is a certificate authority standing in for Fulcio.
type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

func newTestCA(t *testing.T) testCA {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test fulcio", Organization: []string{"mlc"}},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return testCA{cert: cert, key: key}
}

// trustedRoot writes a Sigstore trusted_root.json trusting only ca.
func (ca testCA) trustedRoot(t *testing.T) string {
	t.Helper()
	doc := fmt.Sprintf(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
		"certificateAuthorities":[{"subject":{"organization":"mlc","commonName":"test fulcio"},"uri":"https://fulcio.test",
		"certChain":{"certificates":[{"rawBytes":%q}]},"validFor":{"start":%q}}]}`,
		base64.StdEncoding.EncodeToString(ca.cert.Raw), time.Now().Add(-time.Hour).UTC().Format(time.RFC3339))
	path := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// keylessSigner is what Fulcio's flow yields: an ephemeral key and a
// short-lived certificate for email, issued by ca.
func (ca testCA) keylessSigner(t *testing.T, email, issuer string) *Signer {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), NotBefore: time.Now().Add(-time.Minute), NotAfter: time.Now().Add(10 * time.Minute),
		EmailAddresses: []string{email}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage:     []x509.ExtKeyUsage{x509.ExtKeyUsageCodeSigning},
		ExtraExtensions: []pkix.Extension{{Id: fulcioIssuerOID, Value: []byte(issuer)}},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, _ := x509.ParseCertificate(der)
	certPEM, _ := cryptoutils.MarshalCertificateToPEM(leaf)
	chainPEM, _ := cryptoutils.MarshalCertificateToPEM(ca.cert)
	sv, err := signature.LoadECDSASignerVerifier(key, crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	return &Signer{sv: &certSigner{Cert: certPEM, Chain: chainPEM, SignerVerifier: sv}}
}

// TestKeylessVerify checks certificate-based signatures offline, against a
// trusted root naming a test CA in Fulcio's place, in both formats.
func TestKeylessVerify(t *testing.T) {
	ca := newTestCA(t)
	root := ca.trustedRoot(t)
	const email, issuer = "ml@acme.test", "https://issuer.test"
	policy := Policy{Identity: email, Issuer: issuer, IgnoreTlog: true, IgnoreSCT: true, TrustedRoot: root}
	ctx := context.Background()
	for name, signFn := range signFormats {
		t.Run(name, func(t *testing.T) {
			st := signtest.Layout(t)
			d := signtest.PutArtifact(t, st, "v1", "weights")
			if _, err := signFn(ctx, st, d, ca.keylessSigner(t, email, issuer), TlogOpts{}); err != nil {
				t.Fatal(err)
			}
			got, err := Verify(ctx, st, d, policy)
			if err != nil || len(got) != 1 || got[0].Format != name || got[0].Signer != email {
				t.Fatalf("Verify = %+v, %v; want one %s signature by %s", got, err, name, email)
			}
			for what, p := range map[string]Policy{
				"another identity": {Identity: "mallory@acme.test", Issuer: issuer, IgnoreTlog: true, IgnoreSCT: true, TrustedRoot: root},
				"another issuer":   {Identity: email, Issuer: "https://evil.test", IgnoreTlog: true, IgnoreSCT: true, TrustedRoot: root},
				"another CA":       {Identity: email, Issuer: issuer, IgnoreTlog: true, IgnoreSCT: true, TrustedRoot: newTestCA(t).trustedRoot(t)},
				"no SCT":           {Identity: email, Issuer: issuer, IgnoreTlog: true, TrustedRoot: root},
			} {
				if _, err := Verify(ctx, st, d, p); !errors.Is(err, ErrNotVerified) {
					t.Errorf("%s: Verify = %v, want ErrNotVerified", what, err)
				}
			}
		})
	}
}
