package sign

import (
	"context"
	"testing"

	"github.com/mlc-project/mlc/artifact/sign/signtest"
)

// BenchmarkVerify measures verifying one key-based signature in an OCI
// layout: reading the .sig image, checking the payload claim and the
// ECDSA signature, and listing referrers for bundles.
func BenchmarkVerify(b *testing.B) {
	priv, pub := signtest.KeyPair(b)
	st := signtest.Layout(b)
	d := signtest.PutArtifact(b, st, "v1", "weights")
	ctx := context.Background()
	s, err := NewSigner(ctx, KeyOpts{Key: priv, Password: signtest.PassFunc})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	if _, err := Sign(ctx, st, d, s, TlogOpts{}); err != nil {
		b.Fatal(err)
	}
	v, err := LoadVerifier(ctx, pub)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := Verify(ctx, st, d, Policy{Key: v, IgnoreTlog: true}); err != nil {
			b.Fatal(err)
		}
	}
}
