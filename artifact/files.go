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
	abs   string
	size  int64
	mtime int64 // nanoseconds; with size and path, the digest cache key
	mode  fs.FileMode
}

// skippedDirs are never pushed: version control and mlc's own state.
var skippedDirs = map[string]bool{".git": true, ".mlc": true}

// listFiles returns the regular files under root (or root itself when it
// is a file), sorted by path. Symbolic links to files are followed, so a
// Hugging Face cache snapshot pushes its content; links to directories and
// special files are refused.
func listFiles(root string) ([]localFile, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, fmt.Errorf("push: %w", err)
	}
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return []localFile{fileOf(filepath.Base(abs), abs, st)}, nil
	}
	var files []localFile
	err = filepath.WalkDir(abs, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != abs && skippedDirs[d.Name()] {
				return filepath.SkipDir
			}
			return nil
		}
		st, err := os.Stat(p) // follows links
		if err != nil {
			return err
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("push: %s is not a regular file (links to directories and special files are not pushed)", p)
		}
		rel, err := filepath.Rel(abs, p)
		if err != nil {
			return err
		}
		files = append(files, fileOf(filepath.ToSlash(rel), p, st))
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

func fileOf(rel, abs string, st fs.FileInfo) localFile {
	return localFile{rel: rel, abs: abs, size: st.Size(), mtime: st.ModTime().UnixNano(), mode: st.Mode()}
}
