package artifact

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
)

// localFile is one regular file to push.
type localFile struct {
	rel   string // slash-separated path inside the pushed directory
	base  string // the pushed directory (a pushed file's own directory)
	abs   string
	size  int64
	mtime int64 // nanoseconds; with size and path, the digest cache key
	mode  fs.FileMode
}

// open reads the file through an os.Root of the pushed directory, so a
// link swapped in after listing cannot lead the read out of it.
func (f localFile) open() (*os.File, error) { return os.OpenInRoot(f.base, filepath.FromSlash(f.rel)) }

// skippedDirs are never pushed: version control and mlc's own state.
var skippedDirs = map[string]bool{".git": true, ".mlc": true}

// listFiles returns the regular files under root (or root itself when it
// is a file), sorted by path. Links to files inside root are followed
// (their content is pushed); a link leading out of root is refused, as
// a job's script could plant one to the runner's credentials
// (docs/security.md); links to directories and special files are refused.
func listFiles(root string) ([]localFile, error) {
	st, err := os.Lstat(root)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		return nil, fmt.Errorf("push: %s is a symbolic link; push the file or directory it leads to", root)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if !st.Mode().IsRegular() {
			return nil, fmt.Errorf("push: %s is not a regular file", root)
		}
		return []localFile{fileOf(filepath.Base(abs), filepath.Dir(abs), st)}, nil
	}
	dir, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	defer dir.Close()
	var files []localFile
	err = fs.WalkDir(dir.FS(), ".", func(rel string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if rel != "." && skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		p := filepath.Join(abs, filepath.FromSlash(rel))
		st, err := dir.Stat(filepath.FromSlash(rel)) // follows links, only inside abs
		if err != nil && d.Type()&fs.ModeSymlink != 0 {
			to, _ := os.Readlink(p)
			return fmt.Errorf("push: %s is a symbolic link to %s, outside %s: only links inside the pushed directory are followed; copy the file in", p, to, root)
		}
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("push: %s is not a regular file (links to directories and special files are not pushed)", p)
		}
		files = append(files, fileOf(rel, abs, st))
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("push: %s holds no files", root)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].rel < files[j].rel })
	return files, nil
}

func fileOf(rel, base string, st fs.FileInfo) localFile {
	abs := filepath.Join(base, filepath.FromSlash(rel))
	return localFile{rel: rel, base: base, abs: abs, size: st.Size(), mtime: st.ModTime().UnixNano(), mode: st.Mode()}
}
