package artifact

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"golang.org/x/sync/errgroup"

	"github.com/mlc-project/mlc/artifact/remote"
)

// PullOptions configure Pull.
type PullOptions struct {
	Options
	// Only restricts the pull to one role (model, dataset, code, docs) or
	// one path (a file or a directory of the artifact); "" pulls all.
	Only string
}

// PullResult describes a pulled artifact.
type PullResult struct {
	Ref          Ref // by digest
	ArtifactType string
	// Name is the model name a ModelPack config or KitOps Kitfile gives.
	Name  string
	Files []string // slash paths written under the target directory
	Bytes int64    // layer bytes downloaded
}

// Pull writes the files of the artifact ref names into dir. Every blob is
// checked against its digest and the files are staged in a temporary
// directory, moved into dir only when all layers verified: a failed or
// tampered pull leaves dir as it was.
func Pull(ctx context.Context, ref Ref, dir string, opts PullOptions) (PullResult, error) {
	store, err := Open(ref, opts.Options)
	if err != nil {
		return PullResult{}, err
	}
	m, desc, err := fetchManifest(ctx, store, ref)
	if err != nil {
		return PullResult{}, err
	}
	name, err := configName(ctx, store, m.Config)
	if err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	layers, keep, err := selectLayers(m, opts.Only)
	if err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	stage, into, commit, err := staging(dir)
	if err != nil {
		return PullResult{}, err
	}
	defer os.RemoveAll(stage) // a no-op once committed
	x, err := newExtractor(stage, keep)
	if err != nil {
		return PullResult{}, err
	}
	defer x.close()
	n, err := fetchLayers(ctx, store, layers, x, opts.Options)
	if err == nil {
		err = x.checkLinks(into)
	}
	if err != nil {
		return PullResult{}, fmt.Errorf("pull %s: %w", ref, err)
	}
	files := x.written()
	if len(files) == 0 && opts.Only != "" {
		return PullResult{}, fmt.Errorf("pull %s: nothing matches --only %q", ref, opts.Only)
	}
	if len(files) == 0 {
		return PullResult{}, fmt.Errorf("pull %s: the artifact holds no files", ref)
	}
	if err := commit(); err != nil {
		return PullResult{}, fmt.Errorf("pull %s: moving files into %s: %w", ref, dir, err)
	}
	return PullResult{Ref: ref.WithDigest(desc.Digest), ArtifactType: m.ArtifactType, Name: name, Files: files, Bytes: n}, nil
}

// fetchManifest resolves ref and reads the artifact manifest it names.
func fetchManifest(ctx context.Context, store Store, ref Ref) (*v1.Manifest, v1.Descriptor, error) {
	desc, err := store.Resolve(ctx, ref.Identifier())
	if err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("resolving %s: %w", ref, err)
	}
	raw, desc, err := store.Manifest(ctx, desc.Digest)
	if err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("reading manifest of %s: %w", ref, err)
	}
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("manifest of %s is not JSON: %w", ref, err)
	}
	if m.MediaType == MediaTypeIndex {
		return nil, v1.Descriptor{}, fmt.Errorf("%s is an image index, not an artifact: pull one of its manifests by digest", ref)
	}
	if m.ArtifactType == "" {
		m.ArtifactType = string(m.Config.MediaType)
	}
	return &m, desc, nil
}

// maxConfigSize bounds the model configs read into memory.
const maxConfigSize = 4 << 20

// configName reads the model name from a ModelPack config or a KitOps
// Kitfile (package.name); other configs have none.
func configName(ctx context.Context, store Store, config v1.Descriptor) (string, error) {
	if config.MediaType != MediaTypeModelConfig && config.MediaType != MediaTypeKitConfig {
		return "", nil
	}
	if config.Size > maxConfigSize {
		return "", fmt.Errorf("config %s is %d bytes, more than a model config can be", config.Digest, config.Size)
	}
	rc, err := store.Blob(ctx, config.Digest)
	if err != nil {
		return "", err
	}
	defer rc.Close()
	raw, err := io.ReadAll(VerifyBlob(rc, config.Digest, config.Size))
	if err != nil {
		return "", fmt.Errorf("config: %w", err)
	}
	var cfg struct {
		Descriptor struct{ Name string } `json:"descriptor"` // ModelPack
		Package    struct{ Name string } `json:"package"`    // KitOps
	}
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return "", fmt.Errorf("config %s (%s) is not JSON: %w", config.Digest, config.MediaType, err)
	}
	return cmp.Or(cfg.Descriptor.Name, cfg.Package.Name), nil
}

// selectLayers picks the layers --only asks for and the filter for the
// paths inside them.
func selectLayers(m *v1.Manifest, only string) ([]v1.Descriptor, func(string) bool, error) {
	all := func(string) bool { return true }
	if only == "" {
		return m.Layers, all, nil
	}
	kind := artifactRole(m)
	switch r := Role(only); r {
	case RoleModel, RoleDataset, RoleCode, RoleDocs:
		var out []v1.Descriptor
		for _, l := range m.Layers {
			if layerRole(string(l.MediaType), kind) == r {
				out = append(out, l)
			}
		}
		if len(out) == 0 {
			return nil, nil, fmt.Errorf("the artifact has no %s layers", r)
		}
		return out, all, nil
	}
	prefix := path.Clean(strings.TrimPrefix(filepath.ToSlash(only), "./"))
	under := func(p string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
	var out []v1.Descriptor
	for _, l := range m.Layers {
		// A tar's member names are known only once read, so tars are
		// fetched and filtered entry by entry.
		if isTarLayer(string(l.MediaType), l.Annotations) || under(layerPath(l)) {
			out = append(out, l)
		}
	}
	return out, under, nil
}

// artifactRole is the role of generic layers, from the artifact type.
func artifactRole(m *v1.Manifest) Role {
	switch {
	case strings.Contains(m.ArtifactType, ".model."), strings.Contains(m.ArtifactType, ".modelkit."):
		return RoleModel
	case strings.Contains(m.ArtifactType, ".code."):
		return RoleCode
	}
	return RoleDataset
}

// layerPath is where a single-file layer goes: its ModelPack filepath,
// else its title.
func layerPath(l v1.Descriptor) string {
	if p := l.Annotations[AnnotationFilepath]; p != "" {
		return p
	}
	return l.Annotations[AnnotationTitle]
}

// fetchLayers downloads the layers in parallel into the extractor's
// staging directory, verifying each blob, and returns the bytes read.
func fetchLayers(ctx context.Context, store Store, layers []v1.Descriptor, x *extractor, opts Options) (int64, error) {
	var total atomic.Int64
	backoff := remote.Backoff(opts.RetryDelay)
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs(opts))
	for _, l := range layers {
		g.Go(func() error {
			// A download cut off in the network is worth another attempt;
			// a digest mismatch or a refused path is not.
			err := remote.Retry(ctx, backoff, remote.ConnectionBroken, func() error {
				return fetchLayer(ctx, store, l, x, &total)
			})
			if err != nil {
				return fmt.Errorf("layer %s (%s): %w", l.Digest, l.Annotations[AnnotationTitle], err)
			}
			return nil
		})
	}
	err := g.Wait()
	return total.Load(), err
}

// fetchLayer downloads one layer into the staging directory, adding the
// bytes it reads to read.
func fetchLayer(ctx context.Context, store Store, l v1.Descriptor, x *extractor, read *atomic.Int64) error {
	if strings.Contains(string(l.MediaType), "zstd") {
		return fmt.Errorf("zstd-compressed layers (%s) are not supported", l.MediaType)
	}
	rc, err := store.Blob(ctx, l.Digest)
	if err != nil {
		return err
	}
	defer rc.Close()
	var body io.Reader = rc
	if l.Size > readAheadSize { // a small blob is one read: nothing to overlap
		ahead := newReadAhead(rc)
		defer ahead.Close() // its goroutine ends when rc.Close, run next, ends its read
		body = ahead
	}
	counted := countingReader{VerifyBlob(body, l.Digest, l.Size), read}
	if isTarLayer(string(l.MediaType), l.Annotations) {
		// Tar entries are written as they stream; a digest mismatch found
		// at the end discards the whole staging directory.
		err = x.untar(counted, strings.Contains(string(l.MediaType), "gzip"))
		if err == nil {
			_, err = io.Copy(io.Discard, counted) // tar padding: verify to the end
		}
		return err
	}
	return x.writeFile(layerPath(l), counted, 0o644)
}

// staging makes a temporary directory for a pull into dir and returns the
// function that moves its content into place. A new dir is renamed into
// place whole; an existing one (into, "" for a new dir) receives each
// file by rename.
func staging(dir string) (stage, into string, commit func() error, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", "", nil, err
	}
	st, err := os.Stat(abs)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(filepath.Dir(abs), 0o755); err != nil {
			return "", "", nil, err
		}
		tmp, err := os.MkdirTemp(filepath.Dir(abs), "."+filepath.Base(abs)+".mlc-pull-")
		if err != nil {
			return "", "", nil, err
		}
		return tmp, "", func() error { return os.Rename(tmp, abs) }, nil
	case err != nil:
		return "", "", nil, err
	case !st.IsDir():
		return "", "", nil, fmt.Errorf("pull target %s is not a directory", dir)
	}
	tmp, err := os.MkdirTemp(abs, ".mlc-pull-")
	if err != nil {
		return "", "", nil, err
	}
	return tmp, abs, func() error { return moveInto(tmp, abs) }, nil
}

// moveInto renames every file and link under src to the same place in
// dst. Conflicts (a directory where a file goes, or the reverse) are
// found before anything moves, so dst does not end up half updated.
func moveInto(src, dst string) error {
	var moves [][2]string
	realDst, err := filepath.EvalSymlinks(dst)
	if err != nil {
		return err
	}
	checked := map[string]bool{}
	err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || p == src {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		dir := filepath.Dir(target)
		if d.IsDir() {
			dir = target // it may be a link already there
		}
		if err := staysInside(realDst, dir, checked); err != nil {
			return err
		}
		st, err := os.Stat(target)
		switch {
		case errors.Is(err, os.ErrNotExist):
		case err != nil:
			return err
		case d.IsDir() != st.IsDir():
			return fmt.Errorf("%s: the artifact has a %s where %s has a %s", target, kindOf(d.IsDir()), dst, kindOf(st.IsDir()))
		}
		if !d.IsDir() {
			moves = append(moves, [2]string{p, target})
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range moves {
		if err := os.MkdirAll(filepath.Dir(m[1]), 0o755); err != nil {
			return err
		}
		if err := os.Rename(m[0], m[1]); err != nil {
			return err
		}
	}
	return nil
}

// staysInside checks that dir, once the links already in the target
// directory are followed, is under realRoot: a link such as data -> /etc
// left in the target must not carry pulled files elsewhere.
func staysInside(realRoot, dir string, checked map[string]bool) error {
	existing := dir
	for {
		if checked[existing] {
			return nil
		}
		if _, err := os.Lstat(existing); err == nil {
			break
		}
		existing = filepath.Dir(existing)
	}
	real, err := filepath.EvalSymlinks(existing)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(realRoot, real); err != nil || !filepath.IsLocal(rel) && rel != "." {
		return fmt.Errorf("refusing to write into %s: a link there leads out of the target directory (to %s)", existing, real)
	}
	checked[existing] = true
	return nil
}

func kindOf(dir bool) string {
	if dir {
		return "directory"
	}
	return "file"
}
