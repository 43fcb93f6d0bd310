package github

import (
	"archive/tar"
	"bytes"
	"cmp"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRelease is a release as scripts/release.sh lays it out, whose mlc is
// a script printing its version, signed with key.
func fakeRelease(t *testing.T, key *ecdsa.PrivateKey, version string) map[string][]byte {
	t.Helper()
	var tgz bytes.Buffer
	zw := gzip.NewWriter(&tgz)
	tw := tar.NewWriter(zw)
	bin := []byte("#!/bin/sh\necho mlc version " + version + "\n")
	if err := tw.WriteHeader(&tar.Header{Name: "mlc", Mode: 0o755, Size: int64(len(bin))}); err != nil {
		t.Fatal(err)
	}
	tw.Write(bin)
	tw.Close()
	zw.Close()
	archive := "mlc_" + version + "_linux_amd64.tar.gz"
	sum := sha256.Sum256(tgz.Bytes())
	sums := []byte(hex.EncodeToString(sum[:]) + "  " + archive + "\n")
	digest := sha256.Sum256(sums)
	sig, err := ecdsa.SignASN1(rand.Reader, key, digest[:])
	if err != nil {
		t.Fatal(err)
	}
	prefix := "/" + version + "/mlc_" + version
	return map[string][]byte{
		"/" + version + "/" + archive: tgz.Bytes(),
		prefix + "_checksums.txt":     sums,
		prefix + "_checksums.txt.sig": []byte(base64.StdEncoding.EncodeToString(sig)),
	}
}

func publicPEM(t *testing.T, key *ecdsa.PrivateKey) string {
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// runInstall runs the generated install step as GitHub would (its run
// line with the workflow's env; the job's MLC_VERSION is the build's
// version, not mlc's) against a loopback server holding files; it returns
// the output and the directory the step added to the job's PATH.
func runInstall(t *testing.T, files map[string][]byte, key, arch string) (string, string, error) {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := files[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()
	tmp := t.TempDir()
	ghPath := filepath.Join(tmp, "github_path")
	cmd := exec.Command("bash", "-e", "-c", installRun)
	cmd.Env = append(os.Environ(), "RUNNER_OS=Linux", "RUNNER_ARCH="+arch, "RUNNER_TEMP="+tmp, "GITHUB_PATH="+ghPath,
		"MLC_INSTALL_VERSION=v1.2.3", "MLC_VERSION=v0.4.0-7-gabc", "MLC_RELEASE_URL="+srv.URL, "MLC_RELEASE_KEY="+key, "MLC_INSTALL="+installRelease)
	out, err := cmd.CombinedOutput()
	added, _ := os.ReadFile(ghPath)
	return string(out), strings.TrimSpace(string(added)), err
}

func TestInstallVerifiesTheRelease(t *testing.T) {
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	out, dir, err := runInstall(t, fakeRelease(t, key, "v1.2.3"), publicPEM(t, key), "X64")
	if err != nil || !strings.Contains(out, "mlc version v1.2.3") {
		t.Fatalf("a good release: %v\n%s", err, out)
	}
	if got, err := exec.Command(filepath.Join(dir, "mlc")).Output(); err != nil || string(got) != "mlc version v1.2.3\n" {
		t.Errorf("mlc on the job's PATH: %q, %v", got, err)
	}

	for name, tc := range map[string]struct {
		change func(map[string][]byte)
		key    string
		arch   string
		want   string
	}{
		"signed by another key": {key: publicPEM(t, other), want: "is not signed by the release key"},
		"archive swapped": {change: func(f map[string][]byte) {
			f["/v1.2.3/mlc_v1.2.3_linux_amd64.tar.gz"] = append(f["/v1.2.3/mlc_v1.2.3_linux_amd64.tar.gz"], 0)
		}, want: "does not match the signed checksums"},
		"checksums edited after signing": {change: func(f map[string][]byte) {
			f["/v1.2.3/mlc_v1.2.3_checksums.txt"] = append(f["/v1.2.3/mlc_v1.2.3_checksums.txt"], "0  x\n"...)
		}, want: "is not signed by the release key"},
		"no signature":     {change: func(f map[string][]byte) { delete(f, "/v1.2.3/mlc_v1.2.3_checksums.txt.sig") }, want: "404"},
		"no such platform": {arch: "ARM", want: "has no release for Linux/ARM"},
		"archive not listed": {arch: "ARM64", change: func(f map[string][]byte) {
			f["/v1.2.3/mlc_v1.2.3_linux_arm64.tar.gz"] = f["/v1.2.3/mlc_v1.2.3_linux_amd64.tar.gz"]
		}, want: "does not match the signed checksums"},
	} {
		files := fakeRelease(t, key, "v1.2.3")
		if tc.change != nil {
			tc.change(files)
		}
		out, dir, err := runInstall(t, files, cmp.Or(tc.key, publicPEM(t, key)), cmp.Or(tc.arch, "X64"))
		if err == nil || dir != "" || !strings.Contains(out, tc.want) {
			t.Errorf("%s: err %v, PATH %q, want a failure saying %q:\n%s", name, err, dir, tc.want, out)
		}
	}
}
