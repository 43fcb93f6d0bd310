package artifact

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"sync"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/mlc-project/mlc/internal/atomicfile"
)

// DefaultCacheDir holds the digest cache unless $MLC_CACHE_DIR is set.
const DefaultCacheDir = ".mlc/cache"

// maxMountSources bounds the repositories remembered per blob.
const maxMountSources = 4

// digestCache remembers the digest of files by (path, size, mtime), so an
// unchanged file is not hashed again, and which repositories received a
// blob, so a push to another repository of that registry can mount it. It
// is an optimisation only: a missing or corrupt cache file is ignored.
type digestCache struct {
	path string

	mu    sync.Mutex
	dirty bool
	data  cacheData
}

type cacheData struct {
	Files map[string]cachedDigest `json:"files"`
	Repos map[string][]string     `json:"repos"` // digest → repositories
}

type cachedDigest struct {
	Size     int64  `json:"size"`
	MTime    int64  `json:"mtime"`
	Digest   string `json:"digest"`
	BlobSize int64  `json:"blobSize"`
}

// openDigestCache loads the cache in dir ("" disables caching).
func openDigestCache(dir string) *digestCache {
	c := &digestCache{data: cacheData{Files: map[string]cachedDigest{}, Repos: map[string][]string{}}}
	if dir == "" {
		return c
	}
	c.path = filepath.Join(dir, "digests.json")
	if b, err := os.ReadFile(c.path); err == nil {
		var d cacheData
		if json.Unmarshal(b, &d) == nil && d.Files != nil && d.Repos != nil {
			c.data = d
		}
	}
	return c
}

// lookup returns the cached digest and blob size of key if the file size
// and mtime still match.
func (c *digestCache) lookup(key string, size, mtime int64) (v1.Hash, int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.data.Files[key]
	if !ok || e.Size != size || e.MTime != mtime {
		return v1.Hash{}, 0, false
	}
	h, err := v1.NewHash(e.Digest)
	return h, e.BlobSize, err == nil
}

func (c *digestCache) store(key string, size, mtime int64, d v1.Hash, blobSize int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.data.Files[key] = cachedDigest{Size: size, MTime: mtime, Digest: d.String(), BlobSize: blobSize}
	c.dirty = true
}

// pushedTo records that repository holds the blob.
func (c *digestCache) pushedTo(d v1.Hash, repository string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	repos := c.data.Repos[d.String()]
	if slices.Contains(repos, repository) {
		return
	}
	repos = append([]string{repository}, repos...)
	c.data.Repos[d.String()] = repos[:min(len(repos), maxMountSources)]
	c.dirty = true
}

// holders returns the repositories known to hold the blob.
func (c *digestCache) holders(d v1.Hash) []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.data.Repos[d.String()])
}

// save writes the cache atomically when it changed.
func (c *digestCache) save() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.path == "" || !c.dirty {
		return nil
	}
	b, err := json.Marshal(c.data)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(c.path), 0o755); err != nil {
		return err
	}
	if err := atomicfile.Write(c.path, b); err != nil {
		return err
	}
	c.dirty = false
	return nil
}
