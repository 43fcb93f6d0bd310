package artifact

import (
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

func TestParseRef(t *testing.T) {
	const dig = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	cases := []struct {
		in   string
		want Ref
	}{
		{"ghcr.io/acme/ml/credit:v3", Ref{Repository: "ghcr.io/acme/ml/credit", Tag: "v3"}},
		{"localhost:5000/x@" + dig, Ref{Repository: "localhost:5000/x", Digest: dig}},
		{"127.0.0.1:5000/a/b:latest", Ref{Repository: "127.0.0.1:5000/a/b", Tag: "latest"}},
		{"oci:./store:credit:v3", Ref{Layout: "./store", Tag: "credit:v3"}},
		{"oci:/abs/store@" + dig, Ref{Layout: "/abs/store", Digest: dig}},
		{"credit:v3", Ref{Layout: DefaultStore, Tag: "credit:v3"}},
	}
	for _, c := range cases {
		got, err := ParseRef(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseRef(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
		if err == nil && c.want.Layout != DefaultStore {
			if back, _ := ParseRef(got.String()); back != got {
				t.Errorf("%q does not round-trip through String: %q", c.in, got.String())
			}
		}
	}
	// acme/credit:v3 names no registry host: never Docker Hub, and a local
	// store tag cannot hold '/'.
	for _, bad := range []string{"acme/credit:v3", "", "oci:", "oci:store", "oci:store@sha256:zz", "ghcr.io/acme/UPPER:v1", "ghcr.io/acme/x:bad tag"} {
		if _, err := ParseRef(bad); err == nil {
			t.Errorf("ParseRef(%q) succeeded, want an error", bad)
		}
	}
}

func TestDigestCache(t *testing.T) {
	dir := t.TempDir()
	c := openDigestCache(dir)
	d := mustHash(t, "sha256:"+strings.Repeat("ab", 32))
	c.store("/data/a.csv", 10, 99, d, 10)
	c.pushedTo(d, "r.example/a")
	if err := c.save(); err != nil {
		t.Fatal(err)
	}
	c = openDigestCache(dir)
	if got, size, ok := c.lookup("/data/a.csv", 10, 99); !ok || got != d || size != 10 {
		t.Errorf("lookup after reload = %v %d %v", got, size, ok)
	}
	if _, _, ok := c.lookup("/data/a.csv", 10, 100); ok {
		t.Error("a changed mtime still hits the cache")
	}
	if _, _, ok := c.lookup("/data/a.csv", 11, 99); ok {
		t.Error("a changed size still hits the cache")
	}
	if h := c.holders(d); len(h) != 1 || h[0] != "r.example/a" {
		t.Errorf("holders = %v", h)
	}
}

func mustHash(t *testing.T, s string) v1.Hash {
	t.Helper()
	h, err := v1.NewHash(s)
	if err != nil {
		t.Fatal(err)
	}
	return h
}
