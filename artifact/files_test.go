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
	writeTree(t, dir, map[string][]byte{"b.csv": []byte("b"), "a/x.csv": []byte("x"), ".git/HEAD": []byte("ref"), ".mlc/cache/d": []byte("{}"), "blobs/w": []byte("weights")})
	if err := os.Symlink("blobs/w", filepath.Join(dir, "model.bin")); err != nil {
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
	// Sorted, .git and .mlc skipped, the link to a file inside followed.
	if strings.Join(got, ",") != "a/x.csv,b.csv,blobs/w,model.bin" || files[3].size != int64(len("weights")) {
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

// A job's script can plant a link to the runner's credentials in the
// directory mlc pushes next; push must refuse it, naming the file.
func TestListFilesRefusesLinksLeadingOut(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "config.json")
	os.WriteFile(secret, []byte(`{"auths":{}}`), 0o600)
	for name, link := range map[string]string{"absolute": secret, "relative": "../../../../../../../../.." + secret, "through dir": "d/../../x"} {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			writeTree(t, dir, map[string][]byte{"model.bin": []byte("w"), "d/f": []byte("f")})
			if err := os.Symlink(link, filepath.Join(dir, "x.bin")); err != nil {
				t.Fatal(err)
			}
			_, err := listFiles(dir)
			if err == nil || !strings.Contains(err.Error(), "x.bin is a symbolic link to") || !strings.Contains(err.Error(), "outside") {
				t.Fatalf("listFiles: %v, want a refusal naming x.bin", err)
			}
		})
	}
	// The pushed path itself may not be a link either.
	dir := t.TempDir()
	link := filepath.Join(t.TempDir(), "model")
	os.Symlink(dir, link)
	if _, err := listFiles(link); err == nil || !strings.Contains(err.Error(), "is a symbolic link") {
		t.Errorf("a pushed path that is a link: %v", err)
	}
	// A link swapped in after listing is not followed out when read.
	writeTree(t, dir, map[string][]byte{"model.bin": []byte("w")})
	files, err := listFiles(dir)
	if err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "model.bin"))
	os.Symlink(secret, filepath.Join(dir, "model.bin"))
	if f, err := files[0].open(); err == nil {
		f.Close()
		t.Error("a link swapped in after listing was followed out of the directory")
	}
}
