package artifact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestPublicURL(t *testing.T) {
	for in, want := range map[string]string{
		"git@github.com:acme/credit.git":              "https://github.com/acme/credit",
		"https://user:token@github.com/acme/x.git":    "https://github.com/acme/x",
		"ssh://git@gitlab.example.com/group/proj.git": "https://gitlab.example.com/group/proj",
		"https://github.com/acme/plain":               "https://github.com/acme/plain",
	} {
		if got := publicURL(in); got != want {
			t.Errorf("publicURL(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestListFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string][]byte{"b.csv": []byte("b"), "a/x.csv": []byte("x"), ".git/HEAD": []byte("ref"), ".mlc/cache/d": []byte("{}")})
	outside := filepath.Join(t.TempDir(), "blob")
	os.WriteFile(outside, []byte("weights"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "model.bin")); err != nil {
		t.Fatal(err)
	}
	files, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range files {
		got = append(got, f.rel)
	}
	// Sorted, .git and .mlc skipped, the link to a file followed.
	if strings.Join(got, ",") != "a/x.csv,b.csv,model.bin" || files[2].size != int64(len("weights")) {
		t.Errorf("listFiles = %v", got)
	}
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "linked-dir")); err != nil {
		t.Fatal(err)
	}
	if _, err := listFiles(dir); err == nil || !strings.Contains(err.Error(), "linked-dir") {
		t.Errorf("a link to a directory: %v", err)
	}
	if _, err := listFiles(t.TempDir()); err == nil || !strings.Contains(err.Error(), "no files") {
		t.Errorf("an empty directory: %v", err)
	}
}
