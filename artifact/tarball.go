package artifact

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// writeTar writes files as a reproducible tar: entries in the given
// (sorted) order, no directory entries, fixed mtime, uid, gid and owner
// names, permissions reduced to 0644 or 0755. The same files always give
// the same bytes, so a packed layer keeps its digest across pushes.
func writeTar(w io.Writer, files []localFile) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		if err := addTarFile(tw, f); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addTarFile(tw *tar.Writer, f localFile) error {
	src, err := os.Open(f.abs)
	if err != nil {
		return err
	}
	defer src.Close()
	mode := int64(0o644)
	if f.mode&0o111 != 0 {
		mode = 0o755
	}
	hdr := &tar.Header{
		Typeflag: tar.TypeReg,
		Name:     f.rel,
		Size:     f.size,
		Mode:     mode,
		ModTime:  time.Unix(0, 0),
		Format:   tar.FormatPAX,
	}
	if err := tw.WriteHeader(hdr); err != nil {
		return fmt.Errorf("packing %s: %w", f.rel, err)
	}
	n, err := io.Copy(tw, io.LimitReader(src, f.size))
	if err == nil && n != f.size {
		err = fmt.Errorf("%s shrank from %d to %d bytes while pushing", f.abs, f.size, n)
	}
	return err
}

// packOpener streams the packed layer of files through a pipe, so it is
// never held in memory or written to a temporary file: a reproducible tar
// in gzip's stored (uncompressed) blocks, whose boundaries depend only on
// the bytes, so the digest is stable.
func packOpener(files []localFile) Opener {
	return func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writePacked(pw, files)) }()
		return pr, nil
	}
}

func writePacked(w io.Writer, files []localFile) error {
	zw, err := gzip.NewWriterLevel(w, gzip.NoCompression)
	if err != nil {
		return err
	}
	if err := writeTar(zw, files); err != nil {
		return err
	}
	return zw.Close()
}

// extractor unpacks layers into a staging directory, refusing entries
// that would land outside it.
type extractor struct {
	root  string            // staging directory
	keep  func(string) bool // which slash paths to write (pull --only PATH)
	links map[string]bool   // symlinks written so far, never written through
	files []string          // slash paths written, once each
	seen  map[string]bool
	dirs  map[string]bool // directories known to exist
}

func newExtractor(root string, keep func(string) bool) *extractor {
	return &extractor{root: root, keep: keep, links: map[string]bool{}, seen: map[string]bool{}, dirs: map[string]bool{}}
}

// record notes a written path (a retried layer writes its files again).
func (x *extractor) record(rel string) {
	if !x.seen[rel] {
		x.seen[rel] = true
		x.files = append(x.files, rel)
	}
}

// checkPath validates a slash path from a manifest or a tar entry.
func (x *extractor) checkPath(name string) (string, error) {
	clean := path.Clean(strings.TrimPrefix(name, "./"))
	if clean == "." || path.IsAbs(name) || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", fmt.Errorf("refusing path %q: empty, absolute or outside the target directory", name)
	}
	for dir := path.Dir(clean); dir != "."; dir = path.Dir(dir) {
		if x.links[dir] {
			return "", fmt.Errorf("refusing path %q: it goes through the symbolic link %q", name, dir)
		}
	}
	return clean, nil
}

// create opens a new file for rel inside the staging directory, replacing
// an earlier entry of the same name (never following a link there).
func (x *extractor) create(rel string, mode os.FileMode) (*os.File, error) {
	p := filepath.Join(x.root, filepath.FromSlash(rel))
	if err := x.mkdirs(filepath.Dir(p)); err != nil {
		return nil, err
	}
	delete(x.links, rel)
	x.record(rel)
	const flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
	f, err := os.OpenFile(p, flags, mode)
	if errors.Is(err, os.ErrExist) {
		if err := os.Remove(p); err != nil {
			return nil, err
		}
		f, err = os.OpenFile(p, flags, mode)
	}
	return f, err
}

// mkdirs creates dir once; unpacking thousands of files into a few
// directories should not cost a stat per file.
func (x *extractor) mkdirs(dir string) error {
	if x.dirs[dir] {
		return nil
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	x.dirs[dir] = true
	return nil
}

// writeFile copies r into rel.
func (x *extractor) writeFile(rel string, r io.Reader, mode os.FileMode) error {
	f, err := x.create(rel, mode)
	if err != nil {
		return err
	}
	if _, err := copyToFile(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// untar unpacks a tar stream (gzip-compressed when gz). Entries the keep
// filter rejects are skipped; the stream is still read to its end so the
// caller can verify the blob's digest.
func (x *extractor) untar(r io.Reader, gz bool) error {
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return fmt.Errorf("layer is not gzip: %w", err)
		}
		defer zr.Close()
		r = zr
	}
	tr := tar.NewReader(r)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading tar layer: %w", err)
		}
		if err := x.entry(tr, hdr); err != nil {
			return err
		}
	}
}

func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header) error {
	if hdr.Typeflag == tar.TypeXGlobalHeader || path.Clean(strings.TrimPrefix(hdr.Name, "./")) == "." {
		return nil // the archive's own root, as `tar -C dir .` writes it
	}
	rel, err := x.checkPath(hdr.Name)
	if err != nil {
		return err
	}
	if !x.keep(rel) {
		return nil
	}
	switch hdr.Typeflag {
	case tar.TypeDir:
		return os.MkdirAll(filepath.Join(x.root, filepath.FromSlash(rel)), 0o755)
	case tar.TypeReg:
		return x.writeFile(rel, tr, os.FileMode(hdr.Mode)&0o755|0o600)
	case tar.TypeSymlink:
		target := path.Join(path.Dir(rel), hdr.Linkname)
		if path.IsAbs(hdr.Linkname) || !filepath.IsLocal(filepath.FromSlash(target)) {
			return fmt.Errorf("refusing link %q -> %q: it escapes the target directory", hdr.Name, hdr.Linkname)
		}
		p := filepath.Join(x.root, filepath.FromSlash(rel))
		if err := x.mkdirs(filepath.Dir(p)); err != nil {
			return err
		}
		_ = os.Remove(p)
		x.links[rel] = true
		x.record(rel)
		return os.Symlink(hdr.Linkname, p)
	case tar.TypeLink:
		target, err := x.checkPath(hdr.Linkname)
		if err != nil {
			return fmt.Errorf("refusing hard link %q: %w", hdr.Name, err)
		}
		src, err := os.Open(filepath.Join(x.root, filepath.FromSlash(target)))
		if err != nil {
			return fmt.Errorf("hard link %q names %q, which is not an earlier file of the layer", hdr.Name, hdr.Linkname)
		}
		defer src.Close()
		return x.writeFile(rel, src, 0o644)
	}
	return fmt.Errorf("refusing tar entry %q: unsupported type %q", hdr.Name, string(hdr.Typeflag))
}

// copyBuffers are the large buffers file copies use: a bigger buffer than
// io.Copy's 32 KiB halves the system calls when writing gigabytes.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}

// copyToFile copies r into f through a pooled 1 MiB buffer.
func copyToFile(f *os.File, r io.Reader) (int64, error) {
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	return io.CopyBuffer(struct{ io.Writer }{f}, r, *buf) // hide ReadFrom so the buffer is used
}
