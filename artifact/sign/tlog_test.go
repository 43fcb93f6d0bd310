package sign

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/mlc-project/mlc/artifact/sign/signtest"
)

// fakeRekor is a transparency log that accepts every entry and returns it
// with a signed entry timestamp (SET) under its own key.
type fakeRekor struct {
	*httptest.Server
	key     *ecdsa.PrivateKey
	entries int
}

func newFakeRekor(t *testing.T) *fakeRekor {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	r := &fakeRekor{key: key}
	r.Server = httptest.NewServer(http.HandlerFunc(r.serve))
	t.Cleanup(r.Close)
	return r
}

func (r *fakeRekor) logID() string {
	der, _ := x509.MarshalPKIXPublicKey(&r.key.PublicKey)
	sum := sha256.Sum256(der)
	return hex.EncodeToString(sum[:])
}

func (r *fakeRekor) serve(w http.ResponseWriter, req *http.Request) {
	if req.Method != http.MethodPost || req.URL.Path != "/api/v1/log/entries" {
		http.NotFound(w, req)
		return
	}
	body, _ := io.ReadAll(req.Body)
	r.entries++
	// Fields in canonical (sorted) order: this JSON is what the SET signs.
	payload := struct {
		Body           string `json:"body"`
		IntegratedTime int64  `json:"integratedTime"`
		LogID          string `json:"logID"`
		LogIndex       int64  `json:"logIndex"`
	}{base64.StdEncoding.EncodeToString(body), time.Now().Unix(), r.logID(), int64(r.entries)}
	canonical, _ := json.Marshal(payload)
	sum := sha256.Sum256(canonical)
	set, _ := ecdsa.SignASN1(rand.Reader, r.key, sum[:])
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusCreated)
	_ = json.NewEncoder(w).Encode(map[string]any{
		fmt.Sprintf("%064x", r.entries): map[string]any{
			"body": payload.Body, "integratedTime": payload.IntegratedTime, "logID": payload.LogID, "logIndex": payload.LogIndex,
			"verification": map[string]any{"signedEntryTimestamp": base64.StdEncoding.EncodeToString(set)},
		},
	})
}

// trustedRoot writes a trusted_root.json trusting only this log.
func (r *fakeRekor) trustedRoot(t *testing.T) string {
	t.Helper()
	der, _ := x509.MarshalPKIXPublicKey(&r.key.PublicKey)
	id, _ := hex.DecodeString(r.logID())
	doc := fmt.Sprintf(`{"mediaType":"application/vnd.dev.sigstore.trustedroot+json;version=0.1",
		"tlogs":[{"baseUrl":%q,"hashAlgorithm":"SHA2_256",
		"publicKey":{"rawBytes":%q,"keyDetails":"PKIX_ECDSA_P256_SHA_256","validFor":{"start":%q}},
		"logId":{"keyId":%q}}]}`,
		r.URL, base64.StdEncoding.EncodeToString(der), time.Now().Add(-time.Hour).UTC().Format(time.RFC3339),
		base64.StdEncoding.EncodeToString(id))
	path := filepath.Join(t.TempDir(), "trusted_root.json")
	if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestTlogUploadAndVerify signs with --tlog-upload against a fake Rekor and
// verifies the inclusion promise (SET) offline against a trusted root.
func TestTlogUploadAndVerify(t *testing.T) {
	priv, pub := signtest.KeyPair(t)
	rekor := newFakeRekor(t)
	ctx := context.Background()
	st := signtest.Layout(t)
	logged := signtest.PutArtifact(t, st, "logged", "weights")
	unlogged := signtest.PutArtifact(t, st, "unlogged", "other weights")
	s := newSigner(t, priv)
	if _, err := Sign(ctx, st, logged, s, TlogOpts{Upload: true, RekorURL: rekor.URL}); err != nil {
		t.Fatal(err)
	}
	if rekor.entries != 1 {
		t.Fatalf("%d entries sent to the log, want 1", rekor.entries)
	}
	if _, err := Sign(ctx, st, unlogged, s, TlogOpts{}); err != nil {
		t.Fatal(err)
	}
	requireLog := keyPolicy(t, pub)
	requireLog.IgnoreTlog, requireLog.TrustedRoot = false, rekor.trustedRoot(t)
	if _, err := Verify(ctx, st, logged, requireLog); err != nil {
		t.Fatalf("Verify of a logged signature = %v", err)
	}
	if _, err := Verify(ctx, st, unlogged, requireLog); !errors.Is(err, ErrNotVerified) {
		t.Fatalf("Verify of an unlogged signature when the log is required = %v, want ErrNotVerified", err)
	}
	otherLog := requireLog
	otherLog.TrustedRoot = newFakeRekor(t).trustedRoot(t)
	if _, err := Verify(ctx, st, logged, otherLog); !errors.Is(err, ErrNotVerified) {
		t.Fatalf("Verify against another log's key = %v, want ErrNotVerified", err)
	}
}
