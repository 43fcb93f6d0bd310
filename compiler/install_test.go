package compiler

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/internal/version"
	"github.com/mlc-project/mlc/ir"
)

func pemKey(t *testing.T, curve elliptic.Curve) string {
	t.Helper()
	k, err := ecdsa.GenerateKey(curve, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// Jobs install mlc's release verified with mlc's key unless the spec names
// another release (and its key) or asks for a build from source.
func TestInstall(t *testing.T) {
	p, err := Compile(writeSpec(t, map[string]string{"pipeline.cue": base}))
	if err != nil {
		t.Fatal(err)
	}
	if in := p.MLCInstall; in.FromSource || in.URL != version.ReleaseURL || in.PublicKey != version.ReleaseKey {
		t.Errorf("default install: %+v", in)
	}

	key := pemKey(t, elliptic.P256())
	dir := writeSpec(t, map[string]string{"pipeline.cue": base + `mlc: install: {url: "https://mirror.example/mlc/", public_key: "keys/release.pub"}` + "\n"})
	os.Mkdir(filepath.Join(dir, "keys"), 0o755)
	os.WriteFile(filepath.Join(dir, "keys", "release.pub"), []byte("comment\n"+key), 0o644)
	p, err = Compile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if in := p.MLCInstall; in.FromSource || in.URL != "https://mirror.example/mlc" || in.PublicKey != key {
		t.Errorf("mirror install: %+v", in)
	}

	p, err = Compile(writeSpec(t, map[string]string{"pipeline.cue": base + `mlc: install: from: "source"` + "\n"}))
	if err != nil || !p.MLCInstall.FromSource {
		t.Errorf("install from source: %+v, %v", p.MLCInstall, err)
	}
}

func TestInstallRefusesKeysItCannotVerifyWith(t *testing.T) {
	outside := filepath.Join(t.TempDir(), "outside.pub")
	os.WriteFile(outside, []byte(pemKey(t, elliptic.P256())), 0o644)
	for name, tc := range map[string]struct {
		file, key, want string
	}{
		"missing":        {file: "release.pub", want: "release.pub"},
		"not PEM":        {file: "release.pub", key: "ssh-ed25519 AAAA", want: "is not a PEM public key"},
		"other curve":    {file: "release.pub", key: pemKey(t, elliptic.P384()), want: "is not an ECDSA P-256 public key"},
		"absolute":       {file: outside, want: "relative to the spec directory"},
		"link out":       {file: "link.pub", want: "link.pub"},
		"bad url scheme": {file: "", want: "mlc.install.url"},
	} {
		spec := base + `mlc: install: public_key: "` + tc.file + `"` + "\n"
		if name == "bad url scheme" {
			spec = base + `mlc: install: url: "file:///etc"` + "\n"
		}
		dir := writeSpec(t, map[string]string{"pipeline.cue": spec})
		if tc.key != "" {
			os.WriteFile(filepath.Join(dir, tc.file), []byte(tc.key), 0o644)
		}
		if name == "link out" {
			os.Symlink(outside, filepath.Join(dir, "link.pub"))
		}
		_, err := Compile(dir)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "pipeline.cue:9:") {
			t.Errorf("%s: %v, want an error at pipeline.cue:9 saying %q", name, err, tc.want)
		}
	}
}

// Engines that run mlc in a container warn when that image is mlc's
// default tag; GitHub, which installs the verified release, does not.
func TestDefaultMLCImageWarns(t *testing.T) {
	kube := ir.Engine{Name: "tekton", MLCImage: true}
	for name, tc := range map[string]struct {
		spec    string
		engines []ir.Engine
		want    int
	}{
		"tekton, default image": {base, []ir.Engine{kube}, 1},
		"github only":           {base, []ir.Engine{{Name: "github"}}, 0},
		"tekton, pinned image":  {base + `mlc: image: "r/mlc@sha256:` + strings.Repeat("a", 64) + `"` + "\n", []ir.Engine{kube}, 0},
	} {
		var got []*Error
		spec := strings.Replace(tc.spec, `image: "python:3.12-slim"`, `image: "python@sha256:`+strings.Repeat("b", 64)+`"`, 1)
		if _, err := CompileWith(writeSpec(t, map[string]string{"pipeline.cue": spec}), Options{Engines: tc.engines, Warn: func(e *Error) { got = append(got, e) }}); err != nil {
			t.Fatal(err)
		}
		if len(got) != tc.want || tc.want == 1 && (got[0].Path != "mlc.image" || !strings.Contains(got[0].Msg, "ghcr.io/mlc-project/mlc:"+version.Version)) {
			t.Errorf("%s: warnings %v, want %d for mlc.image", name, got, tc.want)
		}
	}
}

// A released mlc knows its image's digest: Kubernetes steps run mlc by it,
// unless the spec pins another version (whose digest it cannot know).
func TestReleasedMLCRunsItsImageByDigest(t *testing.T) {
	digest := "sha256:" + strings.Repeat("c", 64)
	old := version.ImageDigest
	version.ImageDigest = digest
	defer func() { version.ImageDigest = old }()
	kube := []ir.Engine{{Name: "tekton", MLCImage: true}}
	spec := strings.Replace(base, `image: "python:3.12-slim"`, `image: "python@sha256:`+strings.Repeat("b", 64)+`"`, 1)
	var warns []*Error
	p, err := CompileWith(writeSpec(t, map[string]string{"pipeline.cue": spec}), Options{Engines: kube, Warn: func(e *Error) { warns = append(warns, e) }})
	if err != nil {
		t.Fatal(err)
	}
	if want := "ghcr.io/mlc-project/mlc:" + version.Version + "@" + digest; p.MLCImage != want || len(warns) != 0 {
		t.Errorf("image %s (warnings %v), want %s and no warning", p.MLCImage, warns, want)
	}
	p, err = CompileWith(writeSpec(t, map[string]string{"pipeline.cue": spec + `mlc: version: "v9.9.9"` + "\n"}), Options{Engines: kube, Warn: func(e *Error) {}})
	if err != nil || p.MLCImage != "ghcr.io/mlc-project/mlc:v9.9.9" {
		t.Errorf("another version: %s, %v", p.MLCImage, err)
	}
}
