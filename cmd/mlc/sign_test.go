package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/mlc-project/mlc/artifact/sign/signtest"
)

// signingSetup is a scratch directory, an OCI layout store in it, a key
// pair, and the environment mlc's commands run in under a pipeline.
func signingSetup(t *testing.T) (dir, store, priv, pub string) {
	t.Helper()
	dir = t.TempDir()
	t.Setenv("MLC_CACHE_DIR", "")
	t.Setenv("MLC_OUTPUT", filepath.Join(dir, "outputs"))
	t.Setenv("COSIGN_PASSWORD", signtest.Password)
	priv, pub = signtest.KeyPair(t)
	return dir, "oci:" + filepath.Join(dir, "store"), priv, pub
}

// TestSignVerifyLineageCommands drives push --from-*, sign, verify and
// lineage through run() on an OCI layout and checks their exit codes.
func TestSignVerifyLineageCommands(t *testing.T) {
	dir, store, priv, pub := signingSetup(t)
	_, otherPub := signtest.KeyPair(t)
	for _, name := range []string{"data", "code", "model"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, name+".txt"), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	steps := []struct {
		name string
		args []string
		want int
	}{
		{"push dataset", []string{"push", "dataset", filepath.Join(dir, "data"), store + ":data"}, exitOK},
		{"push code", []string{"push", "code", filepath.Join(dir, "code"), store + ":code"}, exitOK},
		{"push model with unknown input", []string{"push", "model", filepath.Join(dir, "model"), store + ":model",
			"--from-dataset", store + ":nope", "--key", priv}, exitBadInput},
		{"nothing was pushed", []string{"verify", store + ":model", "--key", pub}, exitBadInput},
		{"push model with lineage", []string{"push", "model", filepath.Join(dir, "model"), store + ":model",
			"--from-dataset", store + ":data", "--from-code", store + ":code", "--param", "epochs=3", "--key", priv}, exitOK},
		{"unsigned", []string{"verify", store + ":model", "--key", pub}, exitFailed},
		{"sign", []string{"sign", store + ":model", "--key", priv}, exitOK},
		{"verify", []string{"verify", store + ":model", "--key", pub}, exitOK},
		{"verify env key", []string{"verify", store + ":model", "--key", "env://MLC_TEST_PUB"}, exitOK},
		{"wrong key", []string{"verify", store + ":model", "--key", otherPub}, exitFailed},
		{"no trust", []string{"verify", store + ":model"}, exitBadInput},
		{"missing key file", []string{"verify", store + ":model", "--key", filepath.Join(dir, "none.pub")}, exitBadInput},
		{"missing tag", []string{"verify", store + ":none", "--key", pub}, exitBadInput},
		// --else: a missing tag falls back, a signature that fails never does.
		{"missing tag, else", []string{"verify", store + ":none", "--else", store + ":model", "--key", pub}, exitOK},
		{"missing tag, else missing", []string{"verify", store + ":none", "--else", store + ":none2", "--key", pub}, exitBadInput},
		{"wrong key, else", []string{"verify", store + ":model", "--else", store + ":model", "--key", otherPub}, exitFailed},
		{"sign with key and keyless", []string{"sign", store + ":model", "--key", priv, "--keyless"}, exitBadInput},
		{"lineage with unsigned inputs", []string{"lineage", store + ":model", "--key", pub}, exitFailed},
		{"lineage allowing unsigned inputs", []string{"lineage", store + ":model", "--key", pub, "--allow-unsigned"}, exitOK},
		{"sign data", []string{"sign", store + ":data", "--key", priv}, exitOK},
		{"sign code", []string{"sign", store + ":code", "--key", priv}, exitOK},
		{"lineage", []string{"lineage", store + ":model", "--key", pub}, exitOK},
		{"lineage json", []string{"lineage", store + ":model", "--key", pub, "--json"}, exitOK},
		{"lineage deep", []string{"lineage", store + ":model", "--key", pub, "--deep"}, exitOK},
		{"verify deep", []string{"verify", store + ":model", "--key", pub, "--deep"}, exitOK},
		{"lineage wrong key", []string{"lineage", store + ":model", "--key", otherPub}, exitFailed},
		{"lineage of an unattested artifact", []string{"lineage", store + ":data", "--key", pub}, exitFailed},
		// push --sign signs the digest it pushed; the tag moved to other
		// content afterwards carries no signature.
		{"push and sign", []string{"push", "dataset", filepath.Join(dir, "data"), store + ":signed", "--sign", "--key", priv}, exitOK},
		{"verify pushed and signed", []string{"verify", store + ":signed", "--key", pub}, exitOK},
		{"push, sign and tag a channel", []string{"push", "code", filepath.Join(dir, "code"), store + ":rev1", "--sign", "--key", priv, "--tag", "beta"}, exitOK},
		{"the channel names the signed digest", []string{"verify", store + ":beta", "--key", pub}, exitOK},
		{"a bad channel tag pushes nothing", []string{"push", "code", filepath.Join(dir, "code"), store + ":rev2", "--tag", "no/slash"}, exitBadInput},
		{"nothing pushed after a bad tag", []string{"verify", store + ":rev2", "--key", pub}, exitBadInput},
		{"tag moved", []string{"push", "model", filepath.Join(dir, "data"), store + ":signed"}, exitOK},
		{"moved tag is unsigned", []string{"verify", store + ":signed", "--key", pub}, exitFailed},
		{"sign with a wrong password pushes nothing", []string{"push", "dataset", filepath.Join(dir, "model"), store + ":badpw", "--sign", "--key", filepath.Join(dir, "none.key")}, exitBadInput},
		{"nothing pushed after a bad key", []string{"verify", store + ":badpw", "--key", pub}, exitBadInput},
		{"param without inputs", []string{"push", "model", filepath.Join(dir, "model"), store + ":m2", "--param", "a=1"}, exitBadInput},
		{"malformed param", []string{"push", "model", filepath.Join(dir, "model"), store + ":m2",
			"--from-dataset", store + ":data", "--param", "novalue", "--key", priv}, exitBadInput},
	}
	pubPEM, err := os.ReadFile(pub)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("MLC_TEST_PUB", string(pubPEM))
	for _, s := range steps {
		if got := run(s.args); got != s.want {
			t.Fatalf("%s: mlc %v exited %d, want %d", s.name, s.args, got, s.want)
		}
	}
	// A blob overwritten after signing: the signature (on the manifest)
	// still verifies; reading the blobs does not.
	overwriteBlob(t, filepath.Join(dir, "store"), "model", "MODEL")
	for _, s := range []struct {
		args []string
		want int
	}{
		{[]string{"verify", store + ":model", "--key", pub}, exitOK},
		{[]string{"verify", store + ":model", "--key", pub, "--deep"}, exitFailed},
		{[]string{"lineage", store + ":model", "--key", pub, "--deep"}, exitFailed},
	} {
		if got := run(s.args); got != s.want {
			t.Errorf("after the blob was overwritten: mlc %v exited %d, want %d", s.args, got, s.want)
		}
	}
}

// overwriteBlob replaces the content of the layout blob holding from.
func overwriteBlob(t *testing.T, layout, from, to string) {
	t.Helper()
	blobs, _ := filepath.Glob(filepath.Join(layout, "blobs", "sha256", "*"))
	for _, b := range blobs {
		if data, _ := os.ReadFile(b); string(data) == from {
			os.Chmod(b, 0o644)
			if err := os.WriteFile(b, []byte(to), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
	}
	t.Fatalf("no blob holds %q", from)
}

// TestTlogDefaults: offline with a key, Rekor when keyless, unless told.
func TestTlogDefaults(t *testing.T) {
	_, pub := signtest.KeyPair(t)
	for _, c := range []struct {
		args       []string
		wantUpload bool
	}{
		{[]string{"--key", "k"}, false},
		{[]string{}, true},
		{[]string{"--key", "k", "--tlog-upload"}, true},
		{[]string{"--tlog-upload=false"}, false},
	} {
		fs := pflag.NewFlagSet("sign", pflag.ContinueOnError)
		f := addSigningFlags(fs, "")
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		if got := f.tlog().Upload; got != c.wantUpload {
			t.Errorf("sign %v: tlog upload %v, want %v", c.args, got, c.wantUpload)
		}
	}
	for _, c := range []struct {
		args       []string
		wantIgnore bool
	}{
		{[]string{"--key", pub}, true},
		{[]string{"--key", pub, "--insecure-ignore-tlog=false"}, false},
		{[]string{"--certificate-identity", "a@b.c", "--certificate-oidc-issuer", "https://issuer"}, false},
	} {
		fs := pflag.NewFlagSet("verify", pflag.ContinueOnError)
		f := addPolicyFlags(fs)
		if err := fs.Parse(c.args); err != nil {
			t.Fatal(err)
		}
		p, err := f.policy(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if p.IgnoreTlog != c.wantIgnore {
			t.Errorf("verify %v: ignore tlog %v, want %v", c.args, p.IgnoreTlog, c.wantIgnore)
		}
	}
}

// The baseline a model is compared with, and the drift reference, are
// read by tag: their signature is verified and the digest verified is
// read. An unsigned manifest tagged production, or a deleted tag, does
// not wave a regression through.
func TestBaselineAndReferenceAreVerified(t *testing.T) {
	dir, store, priv, pub := signingSetup(t)
	model := filepath.Join(dir, "model")
	os.MkdirAll(model, 0o755)
	os.WriteFile(filepath.Join(model, "w.bin"), []byte("w"), 0o644)
	low := filepath.Join(dir, "low.json")
	os.WriteFile(low, []byte(`{"accuracy": 0.01}`), 0o644)
	candidate := filepath.Join(dir, "candidate.json")
	os.WriteFile(candidate, []byte(`{"accuracy": 0.5}`), 0o644)
	gate := func(extra ...string) []string {
		return append([]string{"check", "metrics", candidate, "--no-regression", "accuracy", "--baseline", store + ":production", "--key", pub}, extra...)
	}
	for _, s := range []struct {
		name string
		args []string
		want int
	}{
		{"missing baseline fails", gate(), exitFailed},
		{"missing baseline on the first release", gate("--first-release"), exitOK},
		{"unsigned baseline", []string{"push", "model", model, store + ":production", "--metrics", low}, exitOK},
		{"unsigned baseline is refused", gate(), exitFailed},
		{"unsigned reference is not pulled", []string{"pull", store + ":production", filepath.Join(dir, "ref"), "--key", pub}, exitFailed},
		{"signed baseline", []string{"push", "model", model, store + ":production", "--metrics", low, "--sign", "--key", priv}, exitOK},
		{"signed baseline is compared", gate(), exitOK},
		{"no trust named", []string{"check", "metrics", candidate, "--no-regression", "accuracy", "--baseline", store + ":production"}, exitBadInput},
		{"signed reference is pulled", []string{"pull", store + ":production", filepath.Join(dir, "ref"), "--key", pub}, exitOK},
	} {
		if got := run(s.args); got != s.want {
			t.Fatalf("%s: mlc %v exited %d, want %d", s.name, s.args, got, s.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "ref", "w.bin")); err != nil {
		t.Errorf("verified pull: %v", err)
	}
}

// TestPromoteWithDatasets: promoting a model with --with-datasets tags
// the datasets its verified provenance names, and an untrusted
// provenance promotes nothing.
func TestPromoteWithDatasets(t *testing.T) {
	dir, _, priv, pub := signingSetup(t)
	_, otherPub := signtest.KeyPair(t)
	for _, name := range []string{"data", "model"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "f"), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	data, model := filepath.Join(dir, "store-data"), filepath.Join(dir, "store-model")
	if code := run([]string{"push", "dataset", filepath.Join(dir, "data"), "oci:" + data + ":v1", "--sign", "--key", priv}); code != exitOK {
		t.Fatalf("push dataset: exit %d", code)
	}
	if code := run([]string{"push", "model", filepath.Join(dir, "model"), "oci:" + model + ":v1", "--from-dataset", "oci:" + data + ":v1", "--sign", "--key", priv}); code != exitOK {
		t.Fatalf("push model: exit %d", code)
	}
	if code := run([]string{"promote", "oci:" + model + ":v1", "--to", "staging", "--with-datasets", "--key", otherPub}); code != exitFailed {
		t.Errorf("untrusted provenance: exit %d, want %d", code, exitFailed)
	}
	if tags := layoutTags(t, model); slices.Contains(tags, "staging") {
		t.Errorf("model tags %v after a refused promotion", tags)
	}
	if code := run([]string{"promote", "oci:" + model + ":v1", "--to", "staging", "--with-datasets", "--key", pub}); code != exitOK {
		t.Fatalf("promote: exit %d", code)
	}
	for _, store := range []string{model, data} {
		if tags := layoutTags(t, store); !slices.Contains(tags, "staging") {
			t.Errorf("%s tags %v, want staging", filepath.Base(store), tags)
		}
	}
}

// TestFromSourceAndSubjects: an artifact attested with the commit it was
// built from and the files the same build made (a release) reads back
// with both from mlc lineage; bad values push nothing.
func TestFromSourceAndSubjects(t *testing.T) {
	dir, store, priv, pub := signingSetup(t)
	if err := os.MkdirAll(filepath.Join(dir, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bin", "mlc"), []byte("binary"), 0o644); err != nil {
		t.Fatal(err)
	}
	sums := filepath.Join(dir, "checksums.txt")
	archive := strings.Repeat("0a", 32)
	if err := os.WriteFile(sums, []byte(archive+"  mlc_v1_linux_amd64.tar.gz\n"+strings.Repeat("0b", 32)+" *mlc_v1_linux_amd64.cdx.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(dir, "bad.txt")
	if err := os.WriteFile(bad, []byte(archive+"  a.tar.gz\nnot a checksum\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	source := "https://github.com/acme/mlc@" + strings.Repeat("3f", 20)
	push := func(tag string, extra ...string) []string {
		return append([]string{"push", "code", filepath.Join(dir, "bin"), store + ":" + tag, "--key", priv}, extra...)
	}
	for _, c := range []struct {
		name string
		args []string
		want int
		msg  string
	}{
		{"a branch is not a commit", push("b1", "--from-source", "https://github.com/acme/mlc@main"), exitBadInput, "full lower-case hex hash"},
		{"subjects without provenance", []string{"push", "code", filepath.Join(dir, "bin"), store + ":b2", "--subjects-from", sums}, exitBadInput, "--subjects-from is recorded in the provenance"},
		{"a listing with a bad line", push("b3", "--from-source", source, "--subjects-from", bad), exitBadInput, "bad.txt:2: want a sha256sum line"},
		{"nothing pushed", []string{"verify", store + ":b3", "--key", pub}, exitBadInput, ""},
		{"release", push("v1", "--sign", "--from-source", source, "--subjects-from", sums), exitOK, ""},
	} {
		if code, msg := runCommand(t, newRootCmd(), c.args...); code != c.want || !strings.Contains(msg, c.msg) {
			t.Fatalf("%s: mlc %v = %d %q, want %d %q", c.name, c.args, code, msg, c.want, c.msg)
		}
	}
	cmd := newRootCmd()
	var out bytes.Buffer
	cmd.SetArgs([]string{"lineage", store + ":v1", "--key", pub})
	cmd.SetOut(&out)
	cmd.SetErr(io.Discard)
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"source: git+" + source + "\n", "also made: mlc_v1_linux_amd64.tar.gz sha256:" + archive + "\n", "also made: mlc_v1_linux_amd64.cdx.json sha256:"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("mlc lineage lacks %q:\n%s", want, out.String())
		}
	}
}
