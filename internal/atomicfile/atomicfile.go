// Package atomicfile replaces small files (an OCI layout's index.json, the
// digest cache, gate reports, run records) so that readers see the old
// content or the new, never a partial write.
package atomicfile

import (
	"os"
	"path/filepath"
)

// Write replaces path with data (mode 0644) through a temporary file in
// the same directory and a rename.
func Write(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path)+"-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
