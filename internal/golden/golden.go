// Package golden compares generated files with the golden copies under
// testdata/golden and rewrites them with `go test ./... -update`.
package golden

import (
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/targets"
)

var update = flag.Bool("update", false, "rewrite golden files")

// Update reports whether this run rewrites golden files (-update), for
// tests keeping their golden output elsewhere (compiler/testdata/broken).
func Update() bool { return *update }

// Root is the repository root, found from this source file.
func Root() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Examples lists the example directories, by name.
func Examples(t testing.TB) []string {
	entries, err := os.ReadDir(filepath.Join(Root(), "examples"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.IsDir() {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names
}

// Check compares files with testdata/golden/<dir>, which must hold exactly
// those files; with -update it rewrites the directory instead.
func Check(t *testing.T, dir string, files []targets.File) {
	t.Helper()
	root := filepath.Join(Root(), "testdata", "golden", filepath.FromSlash(dir))
	if *update {
		if err := os.RemoveAll(root); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(root, filepath.FromSlash(f.Path))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		return
	}
	want := map[string]bool{}
	for _, f := range files {
		want[f.Path] = true
		golden, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Errorf("%s/%s: %v (run go test ./... -update)", dir, f.Path, err)
			continue
		}
		if string(golden) != string(f.Data) {
			t.Errorf("%s/%s differs from golden:\n%s\n(run go test ./... -update if the change is intended)", dir, f.Path, firstDiff(string(golden), string(f.Data)))
		}
	}
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(root, p)
			if !want[filepath.ToSlash(rel)] {
				t.Errorf("%s/%s: stale golden file, no longer generated", dir, rel)
			}
		}
		return nil
	})
}

// firstDiff shows the first differing line with its number.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return "line " + strconv.Itoa(i+1) + ":\n- " + x + "\n+ " + y
		}
	}
	return ""
}
