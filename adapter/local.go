package adapter

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
)

// treeFetcher copies a file, or every file below a directory, out of a
// local directory tree. It serves local sources and offline fixtures.
type treeFetcher struct {
	base string // directory the tree lives in
	rel  string // slash path of the file or directory below base
	// confine opens base as an os.Root, so symbolic links cannot lead
	// outside it (local sources given relative to the spec directory).
	confine bool
	// source is the manifest's source: the path as the spec wrote it, so
	// manifests (and digests of pushed datasets) do not depend on where
	// the spec directory is checked out.
	source string

	want map[string]string // relative path → expected sha256
}

func newLocalFetcher(src LocalSource, opts Options) (Fetcher, error) {
	p := filepath.Clean(src.Path)
	if filepath.IsAbs(p) {
		return &treeFetcher{base: filepath.Dir(p), rel: filepath.Base(p), source: p}, nil
	}
	if !filepath.IsLocal(p) {
		return nil, opts.invalid("source.local.path %q leaves the spec directory; use a path inside it, or an absolute path", src.Path)
	}
	specDir := opts.SpecDir
	if specDir == "" {
		specDir = "."
	}
	return &treeFetcher{base: specDir, rel: filepath.ToSlash(p), confine: true, source: filepath.ToSlash(p)}, nil
}

func (f *treeFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	var fsys fs.FS = os.DirFS(f.base)
	if f.confine {
		root, err := os.OpenRoot(f.base)
		if err != nil {
			return nil, err
		}
		defer root.Close()
		fsys = root.FS()
	}
	info, err := fs.Stat(fsys, f.rel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(f.base, f.rel), unwrapPathError(err))
	}
	out := newSink(dst)
	if !info.IsDir() {
		name := path.Base(f.rel)
		if err := copyFile(fsys, f.rel, name, out, f.want[name]); err != nil {
			return nil, err
		}
		return out.manifest(f.source), nil
	}
	tree, err := fs.Sub(fsys, f.rel)
	if err != nil {
		return nil, err
	}
	err = fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Symbolic links count when they lead to a regular file; links to
		// directories are not followed.
		if info, err := fs.Stat(tree, p); err != nil || !info.Mode().IsRegular() {
			return err
		}
		return copyFile(tree, p, p, out, f.want[p])
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(f.base, f.rel), err)
	}
	return out.manifest(f.source), nil
}

func copyFile(fsys fs.FS, from, to string, out *sink, wantSHA256 string) error {
	r, err := fsys.Open(from)
	if err != nil {
		return err
	}
	defer r.Close()
	return out.write(to, r, wantSHA256)
}

// unwrapPathError drops fs.PathError's repetition of the path the caller
// already names.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
