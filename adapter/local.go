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
// Reads go through an os.Root of base, and a directory is walked through
// an os.Root of its own, so no link inside the tree leads a read out of
// it.
type treeFetcher struct {
	base string // directory the tree lives in
	rel  string // slash path of the file or directory below base
	// source is the manifest's source: the path as the spec wrote it, so
	// manifests (and digests of pushed datasets) do not depend on where
	// the spec directory is checked out.
	source string

	want map[string]string // relative path → expected sha256
}

// LocalSource is a file or directory relative to the spec directory.
type LocalSource struct {
	Path string `json:"path"`
}

func init() { register("local", newLocalFetcher) }

func newLocalFetcher(src LocalSource, opts Options) (Fetcher, error) {
	if err := opts.required("source.local.path", src.Path, "give a file or directory relative to the spec directory"); err != nil {
		return nil, err
	}
	p := filepath.Clean(src.Path)
	if filepath.IsAbs(p) {
		f := &treeFetcher{base: filepath.Dir(p), rel: filepath.Base(p), source: p}
		if info, err := os.Stat(p); err == nil && info.IsDir() {
			f.base, f.rel = p, "." // the path the user named may itself be a link
		}
		return f, nil
	}
	if !filepath.IsLocal(p) {
		return nil, opts.invalid("source.local.path %q leaves the spec directory; use a path inside it, or an absolute path", src.Path)
	}
	specDir := opts.SpecDir
	if specDir == "" {
		specDir = "."
	}
	return &treeFetcher{base: specDir, rel: filepath.ToSlash(p), source: filepath.ToSlash(p)}, nil
}

func (f *treeFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	base, err := os.OpenRoot(f.base)
	if err != nil {
		return nil, err
	}
	defer base.Close()
	top := filepath.Join(f.base, f.rel)
	info, err := base.Stat(f.rel)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", top, unwrapPathError(err))
	}
	out := newSink(dst)
	if !info.IsDir() {
		name := path.Base(f.rel)
		if err := copyFile(base.FS(), f.rel, name, out, f.want[name]); err != nil {
			return nil, err
		}
		return out.manifest(f.source), nil
	}
	root, err := base.OpenRoot(f.rel)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	tree := root.FS()
	err = fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		// Symbolic links count when they lead to a regular file inside
		// the tree; links to directories are not followed.
		info, err := fs.Stat(tree, p)
		if err != nil && d.Type()&fs.ModeSymlink != 0 {
			return fmt.Errorf("%s is a symbolic link leading out of the directory; copy what it leads to into it", p)
		}
		if err != nil || !info.Mode().IsRegular() {
			return err
		}
		return copyFile(tree, p, p, out, f.want[p])
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", top, err)
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
