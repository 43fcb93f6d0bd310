package artifact

import (
	"archive/tar"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// extractor unpacks layers into a staging directory. Every entry is
// resolved under an os.Root of that directory, so no link on disk can
// carry a write or a read out of it, whatever the archive's entries say;
// links are also checked as the kernel would follow them (resolveInside),
// so none left in the pulled tree leads out. Layers unpack in parallel:
// the bookkeeping is shared under mu, file contents are copied outside it.
type extractor struct {
	root *os.Root
	keep func(string) bool // which slash paths to write (pull --only PATH)

	mu    sync.Mutex
	links map[string]string // symlinks written so far → their targets; never written through
	dirs  map[string]bool   // directories known to exist
	seen  map[string]bool
	files []string // slash paths written, once each
}

func newExtractor(dir string, keep func(string) bool) (*extractor, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &extractor{root: root, keep: keep, links: map[string]string{}, seen: map[string]bool{}, dirs: map[string]bool{}}, nil
}

func (x *extractor) close() error { return x.root.Close() }

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

// cleanName is an entry's name as checkPath compares it.
func cleanName(name string) string { return path.Clean(strings.TrimPrefix(name, "./")) }

// checkPath validates a slash path from a manifest or a tar entry.
func (x *extractor) checkPath(name string) (string, error) {
	clean := cleanName(name)
	if clean == "." || path.IsAbs(name) || !filepath.IsLocal(filepath.FromSlash(clean)) {
		return "", fmt.Errorf("refusing path %q: empty, absolute or outside the target directory", name)
	}
	for dir := path.Dir(clean); dir != "."; dir = path.Dir(dir) {
		if _, ok := x.links[dir]; ok {
			return "", fmt.Errorf("refusing path %q: it goes through the symbolic link %q", name, dir)
		}
	}
	return clean, nil
}

// target checks name and returns its slash path in the staging
// directory, with its parent created; "" when the keep filter skips it.
func (x *extractor) target(name string) (string, error) {
	rel, err := x.checkPath(name)
	if err != nil || !x.keep(rel) {
		return "", err
	}
	return rel, x.mkdirs(path.Dir(rel))
}

// mkdirs creates dir once; unpacking thousands of files into a few
// directories should not cost a stat per file.
func (x *extractor) mkdirs(dir string) error {
	if dir == "." || x.dirs[dir] {
		return nil
	}
	if err := x.root.MkdirAll(dir, 0o755); err != nil {
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
	rel, err := x.target(name)
	if err != nil || rel == "" {
		return nil, err
	}
	delete(x.links, rel)
	x.record(rel)
	const flags = os.O_WRONLY | os.O_CREATE | os.O_EXCL
	f, err := x.root.OpenFile(rel, flags, mode)
	if errors.Is(err, os.ErrExist) {
		if err := x.root.Remove(rel); err != nil {
			return nil, err
		}
		f, err = x.root.OpenFile(rel, flags, mode)
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

// symlink creates a link that, followed through the links written so
// far, stays inside the target directory (checkLinks checks them all
// again once every layer is in, as later links change earlier paths).
func (x *extractor) symlink(name, linkname string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	rel, err := x.target(name)
	if err != nil || rel == "" {
		return err
	}
	if err := linkStaysInside(rel, linkname, x.readlink(nil)); err != nil {
		return fmt.Errorf("refusing link %q -> %q: %w", name, linkname, err)
	}
	_ = x.root.Remove(rel)
	x.links[rel] = linkname
	x.record(rel)
	return x.root.Symlink(linkname, rel)
}

// readlink looks links up among those written, then, for a path the
// layers did not write, in outer (the links of the directory a pull
// merges into; nil for none).
func (x *extractor) readlink(outer func(string) (string, bool)) func(string) (string, bool) {
	return func(rel string) (string, bool) {
		if target, ok := x.links[rel]; ok {
			return target, true
		}
		if x.seen[rel] || outer == nil {
			return "", false
		}
		return outer(rel)
	}
}

// checkLinks resolves every link written, once all layers are in, in
// the tree it will live in: the staging directory merged over into (the
// existing directory a pull writes into; "" for a new one).
func (x *extractor) checkLinks(into string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if len(x.links) == 0 {
		return nil
	}
	var outer func(string) (string, bool)
	if into != "" {
		dst, err := os.OpenRoot(into)
		if err != nil {
			return err
		}
		defer dst.Close()
		outer = func(rel string) (string, bool) {
			target, err := dst.Readlink(rel)
			return target, err == nil
		}
	}
	for _, rel := range slices.Sorted(maps.Keys(x.links)) {
		linkname := x.links[rel]
		if err := linkStaysInside(rel, linkname, x.readlink(outer)); err != nil {
			return fmt.Errorf("refusing link %q -> %q: %w", rel, linkname, err)
		}
	}
	return nil
}

// mkdir creates a directory entry.
func (x *extractor) mkdir(name string) error {
	x.mu.Lock()
	defer x.mu.Unlock()
	rel, err := x.target(name)
	if err != nil || rel == "" {
		return err
	}
	return x.mkdirs(rel)
}

// hardlink copies a regular file the same layer wrote before (links are
// not kept): a link to anything else could name a file the layer did not
// write, reached through links.
func (x *extractor) hardlink(name, linkname string, regular map[string]bool) error {
	target := cleanName(linkname)
	refused := fmt.Errorf("refusing hard link %q -> %q: it must name a regular file earlier in the same layer", name, linkname)
	if !regular[target] {
		return refused
	}
	x.mu.Lock()
	st, err := x.root.Lstat(target)
	x.mu.Unlock()
	if err != nil || !st.Mode().IsRegular() {
		return refused
	}
	src, err := x.root.Open(target)
	if err != nil {
		return err
	}
	defer src.Close()
	return x.writeFile(name, src, st.Mode().Perm())
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
	regular := map[string]bool{} // regular files this layer wrote, the only hard link targets
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("reading tar layer: %w", err)
		}
		if err := x.entry(tr, hdr, regular); err != nil {
			return err
		}
	}
}

func (x *extractor) entry(tr *tar.Reader, hdr *tar.Header, regular map[string]bool) error {
	name := cleanName(hdr.Name)
	if hdr.Typeflag == tar.TypeXGlobalHeader || name == "." {
		return nil // the archive's own root, as `tar -C dir .` writes it
	}
	delete(regular, name)
	switch hdr.Typeflag {
	case tar.TypeDir:
		return x.mkdir(hdr.Name)
	case tar.TypeReg:
		if err := x.writeFile(hdr.Name, tr, os.FileMode(hdr.Mode)&0o755|0o600); err != nil {
			return err
		}
		regular[name] = x.keep(name)
		return nil
	case tar.TypeSymlink:
		return x.symlink(hdr.Name, hdr.Linkname)
	case tar.TypeLink:
		return x.hardlink(hdr.Name, hdr.Linkname, regular)
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
