package artifact

import (
	"archive/tar"
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// craftedLayer reads a crafted tar layer from testdata/security/pull: one
// entry a line ("file NAME", "dir NAME", "symlink NAME TARGET", "hardlink
// NAME TARGET"), "#" comments, and a "want:" line with the expected
// refusal ("ok" for none).
func craftedLayer(t *testing.T, file string) (layer []byte, want string) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var entries []*tar.Header
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if w, ok := strings.CutPrefix(line, "want: "); ok {
			want = w
			continue
		}
		fields := strings.Fields(line)
		if len(fields) == 0 || strings.HasPrefix(line, "#") {
			continue
		}
		h := &tar.Header{Name: fields[1], Mode: 0o644}
		switch fields[0] {
		case "file":
			h.Typeflag = tar.TypeReg
		case "dir":
			h.Typeflag, h.Mode = tar.TypeDir, 0o755
		case "symlink":
			h.Typeflag, h.Linkname = tar.TypeSymlink, fields[2]
		case "hardlink":
			h.Typeflag, h.Linkname = tar.TypeLink, fields[2]
		default:
			t.Fatalf("%s: unknown entry %q", file, line)
		}
		entries = append(entries, h)
	}
	if want == "" {
		t.Fatalf("%s: no want: line", file)
	}
	return tarOf(t, entries...), want
}

func TestPullCraftedLayers(t *testing.T) {
	files, _ := filepath.Glob("../testdata/security/pull/*.txt")
	if len(files) == 0 {
		t.Fatal("no crafted layers")
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			content, want := craftedLayer(t, file)
			ref := layoutRef(t, "x")
			putArtifact(t, ref, emptyConfigBlob(), blob{mediaType: "application/vnd.mlc.dataset.layer.v1.tar", content: content})
			dst := filepath.Join(t.TempDir(), "out")
			_, err := Pull(context.Background(), ref, dst, PullOptions{})
			if want == "ok" {
				if err != nil {
					t.Fatal(err)
				}
				assertLinksInside(t, dst)
				return
			}
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("pull: %v\nwant an error with %q", err, want)
			}
			assertUntouched(t, dst)
		})
	}
}

// assertLinksInside checks, with the kernel's own resolution, that every
// link under dir leads to a file inside it.
func assertLinksInside(t *testing.T, dir string) {
	t.Helper()
	real, _ := filepath.EvalSymlinks(dir)
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Type()&os.ModeSymlink == 0 {
			return err
		}
		to, err := filepath.EvalSymlinks(p)
		if rel, relErr := filepath.Rel(real, to); err != nil || relErr != nil || !filepath.IsLocal(rel) {
			t.Errorf("%s leads to %s (%v), outside %s", p, to, err, dir)
		}
		return nil
	})
}

// A pull into an existing directory resolves its links through the links
// already there: with p -> . in the target, q -> p/.. leaves it.
func TestPullRefusesLinkThroughExistingLink(t *testing.T) {
	ref := layoutRef(t, "x")
	putArtifact(t, ref, emptyConfigBlob(), blob{mediaType: "application/vnd.mlc.dataset.layer.v1.tar",
		content: tarOf(t, &tar.Header{Name: "q", Typeflag: tar.TypeSymlink, Linkname: "p/.."})})
	dst := t.TempDir()
	if err := os.Symlink(".", filepath.Join(dst, "p")); err != nil {
		t.Fatal(err)
	}
	_, err := Pull(context.Background(), ref, dst, PullOptions{})
	if err == nil || !strings.Contains(err.Error(), `refusing link "q" -> "p/.."`) {
		t.Fatalf("pull: %v, want a refusal", err)
	}
	if _, err := os.Lstat(filepath.Join(dst, "q")); err == nil {
		t.Error("the refused link was written")
	}
}

func TestResolveInside(t *testing.T) {
	links := map[string]string{"l0": ".", "d/up": "..", "abs": "/etc", "loop": "loop", "d/sib": "../e"}
	readlink := func(rel string) (string, bool) { t, ok := links[rel]; return t, ok }
	for p, want := range map[string]string{
		"a/b/../c": "a/c", "l0/x": "x", "d/up/d/up/f": "f", "d/sib/f": "e/f", "./": "",
		"l0/..": "ERR", "d/up/..": "ERR", "abs/x": "ERR", "loop": "ERR", "..": "ERR", "a/../../b": "ERR",
	} {
		got, err := resolveInside(p, readlink)
		if err != nil {
			got = "ERR"
		}
		if got != want {
			t.Errorf("resolveInside(%q) = %q (%v), want %q", p, got, err, want)
		}
	}
}
