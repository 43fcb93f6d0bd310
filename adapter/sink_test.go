package adapter

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

func TestSinkRefusesPathsOutsideTheDirectory(t *testing.T) {
	for _, rel := range []string{"../x", "a/../../x", "/etc/passwd", `..\x`, "", ManifestName} {
		dir := t.TempDir()
		err := newSink(dir).write(rel, strings.NewReader("data"), "")
		assertErrContains(t, err, "refusing")
		assertTree(t, dir, map[string]string{})
	}
}

func TestSinkWritesNestedFilesAndRecordsThem(t *testing.T) {
	dir := t.TempDir()
	s := newSink(dir)
	for _, rel := range []string{"b/c.csv", "a.csv"} {
		if err := s.write(rel, strings.NewReader(rel), ""); err != nil {
			t.Fatal(err)
		}
	}
	assertTree(t, dir, map[string]string{"a.csv": "a.csv", "b/c.csv": "b/c.csv"})
	sum := sha256.Sum256([]byte("a.csv"))
	want := File{Path: "a.csv", Size: 5, SHA256: hex.EncodeToString(sum[:])}
	m := s.manifest("test")
	if len(m.Files) != 2 || m.Files[0] != want || m.Files[1].Path != "b/c.csv" {
		t.Fatalf("manifest %+v, want first file %+v", m, want)
	}
}

func TestSinkChecksumMismatchLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	err := newSink(dir).write("f", strings.NewReader("data"), strings.Repeat("0", 64))
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("error %v, want ErrChecksum", err)
	}
	assertTree(t, dir, map[string]string{})
}

func TestSinkRefusesTwoNamesForOneFile(t *testing.T) {
	dir := t.TempDir()
	s := newSink(dir)
	if err := s.write("a//b.csv", strings.NewReader("first"), ""); err != nil {
		t.Fatal(err)
	}
	assertErrContains(t, s.write("a/b.csv", strings.NewReader("second"), ""), "already written to a/b.csv")
	assertTree(t, dir, map[string]string{"a/b.csv": "first"})
	if m := s.manifest("test"); len(m.Files) != 1 || m.Files[0].Path != "a/b.csv" {
		t.Errorf("manifest %+v, want the clean path a/b.csv once", m.Files)
	}
}
