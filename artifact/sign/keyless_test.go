package sign

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// testIDToken is an RS256-signed OIDC token for subject (cosign takes
// RS256 tokens as given); nothing here checks its signature, Fulcio would.
func testIDToken(t *testing.T, subject string) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	enc := base64.RawURLEncoding.EncodeToString
	header := enc([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"iss": "https://issuer.test", "sub": subject, "email": subject, "email_verified": true, "aud": "sigstore"})
	signed := header + "." + enc(claims)
	sum := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	return signed + "." + enc(sig)
}

// TestKeylessAsksFulcio checks the keyless wiring without network: the
// identity token goes to the Fulcio URL given, with a public key and a
// proof of possession, and Fulcio's refusal is reported.
func TestKeylessAsksFulcio(t *testing.T) {
	token := testIDToken(t, "ml@acme.test")
	var got struct {
		path, auth string
		body       map[string]any
	}
	fulcio := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.auth = r.URL.Path, r.Header.Get("Authorization")
		_ = json.NewDecoder(r.Body).Decode(&got.body)
		http.Error(w, `{"code":401,"message":"token rejected"}`, http.StatusUnauthorized)
	}))
	defer fulcio.Close()

	_, err := NewSigner(context.Background(), KeyOpts{IDToken: token, FulcioURL: fulcio.URL})
	if err == nil || !strings.Contains(err.Error(), "keyless signing with Fulcio at "+fulcio.URL) {
		t.Fatalf("NewSigner = %v, want Fulcio's refusal", err)
	}
	if got.path != "/api/v1/signingCert" || got.auth != "Bearer "+token {
		t.Fatalf("Fulcio got %s with %q, want the signingCert call with the identity token", got.path, got.auth)
	}
	if _, ok := got.body["publicKey"]; !ok || got.body["signedEmailAddress"] == nil {
		t.Fatalf("Fulcio request %v lacks the public key or the proof of possession", got.body)
	}
}
