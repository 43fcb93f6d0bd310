package adapter

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fixtures = "../testdata/adapter/fixtures"

const adultCSV = "age,income,gender,label\n45,70000,m,1\n"

var creditFixture = map[string]string{
	"part-0.csv": "age,income,gender,label\n34,52000,f,1\n51,61000,m,0\n",
	"part-1.csv": "age,income,gender,label\n29,38000,x,1\n",
}

func TestLocalCopiesADirectoryOrAFileRelativeToTheSpec(t *testing.T) {
	dst, m := mustFetch(t, sourceOf("local", LocalSource{Path: "credit"}), Options{SpecDir: fixtures})
	assertTree(t, dst, creditFixture)
	if m.Source != "credit" || len(m.Files) != 2 || m.Files[0].Size != int64(len(creditFixture["part-0.csv"])) {
		t.Errorf("manifest %+v", m)
	}
	dst, _ = mustFetch(t, sourceOf("local", LocalSource{Path: "credit/part-1.csv"}), Options{SpecDir: fixtures})
	assertTree(t, dst, map[string]string{"part-1.csv": creditFixture["part-1.csv"]})
}

func TestLocalAbsolutePath(t *testing.T) {
	abs, err := filepath.Abs(fixtures)
	if err != nil {
		t.Fatal(err)
	}
	dst, _ := mustFetch(t, sourceOf("local", LocalSource{Path: abs}), Options{SpecDir: t.TempDir()})
	assertTree(t, dst, map[string]string{"credit/part-0.csv": creditFixture["part-0.csv"],
		"credit/part-1.csv": creditFixture["part-1.csv"], "census/adult.csv": adultCSV})
}

func TestLocalSymlinksCannotLeaveTheSpecDirectory(t *testing.T) {
	spec := t.TempDir()
	outside := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(outside, []byte("secret"), 0o600)
	os.Mkdir(filepath.Join(spec, "data"), 0o755)
	os.WriteFile(filepath.Join(spec, "data", "ok.csv"), []byte("ok"), 0o644)
	if err := os.Symlink(outside, filepath.Join(spec, "data", "leak")); err != nil {
		t.Fatal(err)
	}
	assertErrContains(t, fetchErr(t, sourceOf("local", LocalSource{Path: "data"}), Options{SpecDir: spec}), "leak", "leading out")
}

// A link may not lead out of the directory being copied, even into the
// rest of the spec directory, and an absolute source is confined the same
// way; links inside the tree are copied as files.
func TestLocalSymlinksCannotLeaveTheCopiedTree(t *testing.T) {
	spec := t.TempDir()
	os.MkdirAll(filepath.Join(spec, "data", "sub"), 0o755)
	os.WriteFile(filepath.Join(spec, "pipeline.cue"), []byte("secrets"), 0o644)
	os.WriteFile(filepath.Join(spec, "data", "sub", "ok.csv"), []byte("ok"), 0o644)
	if err := os.Symlink("sub/ok.csv", filepath.Join(spec, "data", "alias.csv")); err != nil {
		t.Fatal(err)
	}
	dst, _ := mustFetch(t, sourceOf("local", LocalSource{Path: "data"}), Options{SpecDir: spec})
	assertTree(t, dst, map[string]string{"sub/ok.csv": "ok", "alias.csv": "ok"})
	os.Symlink("../pipeline.cue", filepath.Join(spec, "data", "up"))
	assertErrContains(t, fetchErr(t, sourceOf("local", LocalSource{Path: "data"}), Options{SpecDir: spec}), "up is a symbolic link leading out")
	assertErrContains(t, fetchErr(t, sourceOf("local", LocalSource{Path: filepath.Join(spec, "data")}), Options{SpecDir: t.TempDir()}), "up is a symbolic link leading out")
}

func TestLocalMissingPath(t *testing.T) {
	assertErrContains(t, fetchErr(t, sourceOf("local", LocalSource{Path: "nope"}), Options{SpecDir: fixtures}),
		filepath.Join(fixtures, "nope"), "no such file")
}

func TestOfflineFixturesStandInForNetworkSources(t *testing.T) {
	offline := Options{Dataset: "credit", Offline: true, Fixtures: fixtures}
	for _, src := range []Source{
		sourceOf("s3", S3Source{Bucket: "acme-raw", Prefix: "credit/2026/"}),
		sourceOf("gcs", GCSSource{Bucket: "acme-raw"}),
	} {
		dst, m := mustFetch(t, src, offline)
		assertTree(t, dst, creditFixture)
		if !strings.HasSuffix(m.Source, "/ (offline fixture)") {
			t.Errorf("manifest source %q", m.Source)
		}
	}
	census := Options{Dataset: "census", Offline: true, Fixtures: fixtures}
	const adultSHA = "219f62b9d1594f478af0e89f85dcc2145d660f98feb79d72439a56d13a3d8417"
	dst, _ := mustFetch(t, sourceOf("http", HTTPSource{URL: "https://example.org/adult.csv", SHA256: adultSHA}), census)
	assertTree(t, dst, map[string]string{"adult.csv": adultCSV})
}

func TestOfflineFixtureErrors(t *testing.T) {
	census := Options{Dataset: "census", Offline: true, Fixtures: fixtures}
	_, err := New(sourceOf("http", HTTPSource{URL: "https://example.org/other.csv"}), census)
	assertErrContains(t, err, "other.csv is missing", "https://example.org/other.csv")
	_, err = New(sourceOf("s3", S3Source{Bucket: "b"}), Options{Dataset: "absent", Offline: true, Fixtures: fixtures})
	assertErrContains(t, err, "absent does not exist")

	wrong := HTTPSource{URL: "https://example.org/adult.csv", SHA256: httpBodySHA()}
	f, err := New(sourceOf("http", wrong), census)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	_, err = f.Fetch(context.Background(), dst)
	assertErrContains(t, err, "sha256 mismatch")
	if files := readTree(t, dst); files["adult.csv"] != "" {
		t.Errorf("mismatching fixture was written: %v", files)
	}
}
