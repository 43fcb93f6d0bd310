package adapter

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// failingFetcher writes one file and then fails, like a download that
// breaks half way.
type failingFetcher struct{}

func (failingFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	if err := os.WriteFile(filepath.Join(dst, "partial.csv"), []byte("x"), 0o644); err != nil {
		return nil, err
	}
	return nil, errors.New("connection reset")
}

func TestFetchIntoWritesTheManifestAndReplacesAPreviousFetch(t *testing.T) {
	out := filepath.Join(t.TempDir(), "raw", "credit")
	f, err := New(sourceOf("local", LocalSource{Path: "credit"}), Options{SpecDir: fixtures})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second run replaces the first
		if _, err := FetchInto(context.Background(), f, out); err != nil {
			t.Fatal(err)
		}
	}
	files := readTree(t, out)
	var m Manifest
	if err := json.Unmarshal([]byte(files[ManifestName]), &m); err != nil {
		t.Fatalf("manifest: %v", err)
	}
	delete(files, ManifestName)
	if len(files) != 2 || len(m.Files) != 2 || m.Files[0].Path != "part-0.csv" {
		t.Errorf("files %v, manifest %+v", files, m)
	}
	if entries, _ := os.ReadDir(filepath.Dir(out)); len(entries) != 1 {
		t.Errorf("staging directories left next to out: %v", entries)
	}
}

func TestFetchIntoFailureLeavesThePreviousFetchUntouched(t *testing.T) {
	parent := t.TempDir()
	out := filepath.Join(parent, "credit")

	if _, err := FetchInto(context.Background(), failingFetcher{}, out); err == nil {
		t.Fatal("want an error")
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("a failed first fetch left %v", entries)
	}

	os.Mkdir(out, 0o755)
	os.WriteFile(filepath.Join(out, ManifestName), []byte("{}"), 0o644)
	os.WriteFile(filepath.Join(out, "old.csv"), []byte("old"), 0o644)
	if _, err := FetchInto(context.Background(), failingFetcher{}, out); err == nil {
		t.Fatal("want an error")
	}
	assertTree(t, out, map[string]string{ManifestName: "{}", "old.csv": "old"})
}

func TestFetchIntoRefusesDirectoriesItDidNotWrite(t *testing.T) {
	out := t.TempDir()
	os.WriteFile(filepath.Join(out, "notes.txt"), []byte("mine"), 0o644)
	f, _ := New(sourceOf("local", LocalSource{Path: "credit"}), Options{SpecDir: fixtures})
	_, err := FetchInto(context.Background(), f, out)
	assertErrContains(t, err, "not empty and was not written by mlc fetch")
	_, err = FetchInto(context.Background(), f, ".")
	assertErrContains(t, err, "not the current or a parent directory")
	assertTree(t, out, map[string]string{"notes.txt": "mine"})
}
