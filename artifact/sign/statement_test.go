package sign

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	ita1 "github.com/in-toto/attestation/go/v1"
	ctypes "github.com/sigstore/cosign/v2/pkg/types"
)

// TestNewStatementBytes: protojson's whitespace varies from one build to
// another but never within one, so repeating a marshal cannot catch it;
// comparing with fixed bytes does, in every build.
func TestNewStatementBytes(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name      string
		subject   Subject
		more      []Subject
		predicate any
		want      string
	}{{
		// What cosign v3 signs (protojson of the same Statement, compacted).
		name:    "cosign sign, no predicate",
		subject: Subject{Digest: map[string]string{"sha256": hex}},
		want:    fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"digest":{"sha256":%q}}],"predicateType":%q}`, hex, ctypes.CosignSignPredicateType),
	}, {
		name:      "predicate keys sorted, nested objects and arrays, no HTML escaping",
		subject:   Subject{Name: "ghcr.io/acme/m", Digest: map[string]string{"sha512": strings.Repeat("cd", 64), "sha256": hex}},
		predicate: map[string]any{"z": []string{"b", "a"}, "a": map[string]string{"y": "1", "x": "a&b<c>"}, "m": map[string]any{}},
		want: fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"ghcr.io/acme/m","digest":{"sha256":%q,"sha512":%q}}],"predicateType":"https://example.com/p","predicate":{"a":{"x":"a&b<c>","y":"1"},"m":{},"z":["b","a"]}}`,
			hex, strings.Repeat("cd", 64)),
	}, {
		// A release's provenance: the image, then its archives, in order.
		name:      "further subjects after the first, in their order",
		subject:   Subject{Name: "ghcr.io/acme/mlc", Digest: map[string]string{"sha256": hex}},
		more:      []Subject{{Name: "z.tar.gz", Digest: map[string]string{"sha256": strings.Repeat("01", 32)}}, {Name: "a.tar.gz", Digest: map[string]string{"sha256": strings.Repeat("02", 32)}}},
		predicate: map[string]any{},
		want: fmt.Sprintf(`{"_type":"https://in-toto.io/Statement/v1","subject":[{"name":"ghcr.io/acme/mlc","digest":{"sha256":%q}},{"name":"z.tar.gz","digest":{"sha256":%q}},{"name":"a.tar.gz","digest":{"sha256":%q}}],"predicateType":"https://example.com/p","predicate":{}}`,
			hex, strings.Repeat("01", 32), strings.Repeat("02", 32)),
	}} {
		t.Run(c.name, func(t *testing.T) {
			pt := ctypes.CosignSignPredicateType
			if c.predicate != nil {
				pt = "https://example.com/p"
			}
			for range 50 {
				got, err := NewStatement(c.subject, pt, c.predicate, c.more...)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, []byte(c.want)) {
					t.Fatalf("NewStatement =\n%s\nwant\n%s", got, c.want)
				}
			}
		})
	}
}

func TestNewStatementValidates(t *testing.T) {
	hex := strings.Repeat("ab", 32)
	for _, c := range []struct {
		name          string
		subject       Subject
		predicateType string
		predicate     any
		want          error
	}{
		{"no digest", Subject{Name: "m"}, "https://example.com/p", map[string]any{}, ita1.ErrDigestRequired},
		{"short digest", Subject{Digest: map[string]string{"sha256": "abcd"}}, "https://example.com/p", nil, ita1.ErrIncorrectDigestLength},
		{"no predicate type", Subject{Digest: map[string]string{"sha256": hex}}, "", map[string]any{}, ita1.ErrPredicateTypeRequired},
	} {
		t.Run(c.name, func(t *testing.T) {
			if _, err := NewStatement(c.subject, c.predicateType, c.predicate); !errors.Is(err, c.want) {
				t.Fatalf("NewStatement = %v, want %v", err, c.want)
			}
		})
	}
	if _, err := NewStatement(Subject{Digest: map[string]string{"sha256": hex}}, "https://example.com/p", map[string]any{},
		Subject{Name: "more", Digest: map[string]string{"sha256": "abcd"}}); !errors.Is(err, ita1.ErrIncorrectDigestLength) {
		t.Fatalf("NewStatement with a short further digest = %v, want %v", err, ita1.ErrIncorrectDigestLength)
	}
	if _, err := NewStatement(Subject{Digest: map[string]string{"sha256": hex}}, "https://example.com/p", []string{"x"}); err == nil ||
		!strings.Contains(err.Error(), "not a JSON object") {
		t.Fatalf("NewStatement with an array predicate = %v, want an error", err)
	}
}
