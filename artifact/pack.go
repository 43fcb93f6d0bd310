package artifact

import (
	"archive/tar"
	"compress/gzip"
	"fmt"
	"io"
	"sync"
	"time"
)

// writeTar writes files as a reproducible tar: entries in the given
// (sorted) order, no directory entries, fixed mtime, uid, gid and owner
// names, permissions reduced to 0644 or 0755. The same files always give
// the same bytes, so a packed layer keeps its digest across pushes.
// Entry names are prefix followed by each file's path.
func writeTar(w io.Writer, files []localFile, prefix string) error {
	tw := tar.NewWriter(w)
	for _, f := range files {
		if err := addTarFile(tw, f, prefix); err != nil {
			return err
		}
	}
	return tw.Close()
}

func addTarFile(tw *tar.Writer, f localFile, prefix string) error {
	src, err := f.open()
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
		Name:     prefix + f.rel,
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
	if err := writeTar(zw, files, ""); err != nil {
		return err
	}
	return zw.Close()
}

// copyBuffers are the large buffers file copies use: a bigger buffer than
// io.Copy's 32 KiB halves the system calls when writing gigabytes.
var copyBuffers = sync.Pool{New: func() any { b := make([]byte, 1<<20); return &b }}
