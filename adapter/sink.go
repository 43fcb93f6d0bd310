package adapter

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
)

// Manifest lists what a fetch wrote.
type Manifest struct {
	Source string `json:"source"` // where the files came from, e.g. s3://bucket/prefix
	Files  []File `json:"files"`  // sorted by Path
}

// File is one fetched file.
type File struct {
	Path   string `json:"path"` // slash-separated, relative to the output directory
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"` // hex
}

// ErrChecksum is wrapped by errors for content that does not match its
// expected sha256; retrying the download does not help.
var ErrChecksum = errors.New("sha256 mismatch")

// sink writes files under dir, each atomically, and records them. It is safe
// for concurrent use by parallel downloads.
type sink struct {
	dir   string
	mu    sync.Mutex
	files []File
	taken map[string]bool // target paths written or being written
}

func newSink(dir string) *sink { return &sink{dir: dir, taken: map[string]bool{}} }

// write streams r to dir/rel through a temporary file that is renamed into
// place only when complete and, if wantSHA256 is set, matching. On any error
// nothing is left behind.
func (s *sink) write(rel string, r io.Reader, wantSHA256 string) error {
	target, clean, err := s.claim(rel)
	if err != nil {
		return err
	}
	committed := false
	defer func() {
		if !committed { // a retry may write the same file again
			s.mu.Lock()
			delete(s.taken, target)
			s.mu.Unlock()
		}
	}()
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(target), ".mlc-tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if !committed {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return fmt.Errorf("%s: %w", rel, err)
	}
	sum := hex.EncodeToString(h.Sum(nil))
	if wantSHA256 != "" && !strings.EqualFold(sum, wantSHA256) {
		return fmt.Errorf("%s: %w: got %s, the spec expects %s; the source changed or the spec's sha256 is wrong",
			rel, ErrChecksum, sum, strings.ToLower(wantSHA256))
	}
	// Sync before rename so a crash cannot leave a complete name over
	// incomplete content.
	if err := tmp.Sync(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return err
	}
	committed = true
	s.add(File{Path: clean, Size: n, SHA256: sum})
	return nil
}

// record adds a file something else already wrote under dir (a verified
// artifact pull) to the manifest.
func (s *sink) record(rel string) error {
	target, clean, err := s.claim(rel)
	if err != nil {
		return err
	}
	f, err := os.Open(target)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return err
	}
	s.add(File{Path: clean, Size: n, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

func (s *sink) add(f File) {
	s.mu.Lock()
	s.files = append(s.files, f)
	s.mu.Unlock()
}

// claim is target for a file about to be written: two names that land on
// the same file (keys "a//b" and "a/b") are an error, not a silent
// overwrite.
// It returns the target and its clean slash path relative to dir, the
// manifest's name for it.
func (s *sink) claim(rel string) (target, clean string, err error) {
	target, err = s.target(rel)
	if err != nil {
		return "", "", err
	}
	clean = filepath.ToSlash(filepath.Clean(filepath.FromSlash(rel)))
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken[target] {
		return "", "", fmt.Errorf("%s: another file was already written to %s", rel, clean)
	}
	s.taken[target] = true
	return target, clean, nil
}

// target maps a slash-separated relative path to a file under dir, refusing
// anything that would land outside it (absolute paths, "..").
func (s *sink) target(rel string) (string, error) {
	local := filepath.FromSlash(rel)
	if !filepath.IsLocal(local) || strings.Contains(rel, `\`) {
		return "", fmt.Errorf("refusing %q: it would be written outside the output directory", rel)
	}
	if filepath.Clean(local) == ManifestName {
		return "", fmt.Errorf("refusing %q: the name is reserved for mlc's fetch manifest", rel)
	}
	return filepath.Join(s.dir, local), nil
}

func (s *sink) manifest(source string) *Manifest {
	s.mu.Lock()
	defer s.mu.Unlock()
	files := append([]File(nil), s.files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return &Manifest{Source: source, Files: files}
}
