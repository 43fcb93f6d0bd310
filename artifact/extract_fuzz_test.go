package artifact

import (
	"archive/tar"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// FuzzUntar: whatever a tar layer holds, unpacking it never panics, never
// writes outside the staging directory and, when it succeeds, leaves no
// link there that leads out of it. Seeds: the crafted layers of
// testdata/security/pull.
func FuzzUntar(f *testing.F) {
	files, _ := filepath.Glob("../testdata/security/pull/*.txt")
	for _, file := range files {
		layer, _ := craftedLayer(&testing.T{}, file)
		f.Add(layer)
	}
	f.Add(tarOf(&testing.T{}, &tar.Header{Name: "a/b", Typeflag: tar.TypeReg, Mode: 0o644}))
	f.Fuzz(func(t *testing.T, layer []byte) {
		parent := t.TempDir()
		outside := filepath.Join(parent, "outside")
		os.WriteFile(outside, []byte("secret"), 0o600)
		stage := filepath.Join(parent, "stage")
		os.Mkdir(stage, 0o755)
		x, err := newExtractor(stage, func(string) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		defer x.close()
		err = x.untar(bytes.NewReader(layer), false)
		if err == nil {
			err = x.checkLinks("")
		}
		entries, _ := os.ReadDir(parent)
		if len(entries) != 2 {
			t.Fatalf("unpacking wrote beside the staging directory: %v", entries)
		}
		if data, _ := os.ReadFile(outside); string(data) != "secret" {
			t.Fatal("unpacking changed a file outside the staging directory")
		}
		if err == nil {
			assertLinksInside(t, stage)
		}
	})
}
