package artifact

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Image media types. The layers mlc writes are plain tars: weights do not
// compress, and the digest of a plain tar is its diff ID, so one hash
// serves both.
const (
	MediaTypeImageConfig = "application/vnd.oci.image.config.v1+json"
	MediaTypeImageLayer  = "application/vnd.oci.image.layer.v1.tar"

	// AnnotationBaseName and AnnotationBaseDigest name the base image.
	AnnotationBaseName   = "org.opencontainers.image.base.name"
	AnnotationBaseDigest = "org.opencontainers.image.base.digest"

	// Scratch is the base of an image with no base layers.
	Scratch = "scratch"
)

// ImageOptions configure BuildImage.
type ImageOptions struct {
	Options
	// Base is the base image reference, Scratch for none. An index gives
	// an image for each of its platforms (or of Platforms).
	Base      string
	Platforms []string // os/arch[/variant]; for Scratch each one named, else linux/amd64
	// Context holds the app's files; its .dockerignore applies. ModelDir
	// holds the model's, which go into a layer of their own so a new
	// model does not resend the app and a code change does not resend
	// the model; a ModelDir inside Context is left out of the app layer.
	Context  string
	ModelDir string
	// PlatformContexts replaces Context for the platforms named
	// (OS/ARCH[/VARIANT] → directory): files that differ by platform, such
	// as a static binary on scratch (mlc's own image).
	PlatformContexts map[string]string
	// WorkDir is where the app's files go (default /app), ModelPath where
	// the model's go (default WorkDir/model).
	WorkDir   string
	ModelPath string
	// The image's runtime config; Env and Labels are added to the base's.
	Entrypoint []string
	Cmd        []string
	Env        []string // NAME=value
	User       string
	Ports      []string // 8080 or 8080/tcp
	Labels     map[string]string
	// CacheDir holds the digest cache; "" disables it.
	CacheDir string
}

// ImageResult describes a built image.
type ImageResult struct {
	Ref        Ref // by digest: the index for several platforms, else the manifest
	Descriptor v1.Descriptor
	Platforms  []string
	AppFiles   int
	ModelFiles int
	// LayerBytes is how many blob bytes were sent, base layers included.
	LayerBytes int64
}

// BuildImage builds an app image and pushes it to ref's tag without a
// container engine, as ko and crane append do: the base image's layers by
// digest (mounted when base and target share a registry), then a layer of
// the app's files and one of the model's, each a reproducible tar. The same
// inputs give the same digest: no clock, sorted entries, fixed owners and
// times, and the creation time of the git commit (or SOURCE_DATE_EPOCH).
func BuildImage(ctx context.Context, ref Ref, o ImageOptions) (ImageResult, error) {
	if ref.Tag == "" {
		return ImageResult{}, fmt.Errorf("package to %s: name a tag (REPO:TAG), the digest is computed", ref)
	}
	o.WorkDir = path.Clean("/" + cmp.Or(o.WorkDir, "/app"))
	o.ModelPath = path.Clean("/" + cmp.Or(o.ModelPath, path.Join(o.WorkDir, "model")))
	var modelFiles []localFile
	var err error
	if o.ModelDir != "" {
		if modelFiles, err = listFiles(o.ModelDir); err != nil {
			return ImageResult{}, err
		}
	}
	src, err := gitSource(o.Context)
	if err != nil {
		return ImageResult{}, err
	}
	if src.Created.IsZero() {
		src.Created = time.Unix(0, 0)
	}
	store, err := Open(ref, o.Options)
	if err != nil {
		return ImageResult{}, err
	}
	bases, err := openBase(ctx, o.Base, o.Platforms, o.Options)
	if err != nil {
		return ImageResult{}, err
	}
	contexts, err := platformContexts(bases, o)
	if err != nil {
		return ImageResult{}, err
	}
	bp := &blobPusher{store: store, cache: openDigestCache(o.CacheDir)}
	// One app layer per context: platforms sharing it share the layer.
	appLayers, appFiles := map[string][]v1.Descriptor{}, map[string]int{}
	for _, dir := range contexts {
		if _, ok := appLayers[dir]; ok {
			continue
		}
		files, err := contextFiles(dir, o.ModelDir)
		if err != nil {
			return ImageResult{}, err
		}
		if appLayers[dir], err = bp.pushImageLayers(ctx, files, o.WorkDir); err != nil {
			return ImageResult{}, err
		}
		appFiles[dir] = len(files)
	}
	modelLayer, err := bp.pushImageLayers(ctx, modelFiles, o.ModelPath)
	if err != nil {
		return ImageResult{}, err
	}
	res := ImageResult{AppFiles: appFiles[contexts[0]], ModelFiles: len(modelFiles)}
	// One image of a plain base is the tagged manifest itself; several
	// (or one of an index) are stored by digest and tagged as an index.
	single, tag := len(bases) == 1 && !bases[0].fromIndex, ""
	if single {
		tag = ref.Tag
	}
	var children []v1.Descriptor
	for i, b := range bases {
		if err := b.copyLayers(ctx, bp); err != nil {
			return ImageResult{}, err
		}
		added := append(slices.Clip(appLayers[contexts[i]]), modelLayer...)
		desc, err := bp.putImage(ctx, b, added, o, src, tag)
		if err != nil {
			return ImageResult{}, err
		}
		children = append(children, desc)
		res.Platforms = append(res.Platforms, b.platform.String())
	}
	if err := bp.cache.save(); err != nil {
		return ImageResult{}, fmt.Errorf("saving digest cache: %w", err)
	}
	desc := children[0]
	if single {
		desc.Platform = nil
	} else {
		raw, err := json.Marshal(v1.IndexManifest{SchemaVersion: 2, MediaType: MediaTypeIndex, Manifests: children})
		if err != nil {
			return ImageResult{}, err
		}
		if desc, err = store.PutManifest(ctx, ref.Tag, MediaTypeIndex, raw); err != nil {
			return ImageResult{}, fmt.Errorf("package %s: %w", ref, err)
		}
	}
	res.Ref, res.Descriptor, res.LayerBytes = ref.WithDigest(desc.Digest), desc, bp.sent.Load()
	return res, nil
}

// pushImageLayers uploads files as the layer of the image directory dir,
// and returns it: none for no files.
func (bp *blobPusher) pushImageLayers(ctx context.Context, files []localFile, dir string) ([]v1.Descriptor, error) {
	if len(files) == 0 {
		return nil, nil
	}
	// Layer entries are relative to the root ("app/x", or "x" for "/").
	prefix := strings.TrimPrefix(dir, "/")
	if prefix != "" {
		prefix += "/"
	}
	d, err := bp.pushImageLayer(ctx, files, prefix)
	if err != nil {
		return nil, err
	}
	return []v1.Descriptor{d}, nil
}

// platformContexts returns the context directory of each base's image:
// PlatformContexts' for the platforms it names (each must be built),
// Context for the others.
func platformContexts(bases []*baseImage, o ImageOptions) ([]string, error) {
	dirs := make([]string, len(bases))
	for i := range dirs {
		dirs[i] = o.Context
	}
	for _, key := range slices.Sorted(maps.Keys(o.PlatformContexts)) {
		want, err := v1.ParsePlatform(key)
		if err != nil || want.OS == "" || want.Architecture == "" {
			return nil, fmt.Errorf("context for platform %q: want OS/ARCH[/VARIANT], such as linux/arm64", key)
		}
		found := false
		for i, b := range bases {
			if b.platform.Satisfies(*want) {
				dirs[i], found = o.PlatformContexts[key], true
			}
		}
		if !found {
			var built []string
			for _, b := range bases {
				built = append(built, b.platform.String())
			}
			return nil, fmt.Errorf("context for platform %s: no image for it is built (only %s); name it with --platform", key, strings.Join(built, ", "))
		}
	}
	return dirs, nil
}

// pushImageLayer uploads files as a plain tar whose entries sit under
// prefix, and returns its descriptor.
func (bp *blobPusher) pushImageLayer(ctx context.Context, files []localFile, prefix string) (v1.Descriptor, error) {
	l := layer{
		desc:  v1.Descriptor{MediaType: MediaTypeImageLayer},
		files: files,
		open:  tarOpener(files, prefix),
	}
	key, size, mtime := cacheKey(&l)
	key = "image:" + prefix + "\x00" + key
	if len(files) == 1 {
		size, mtime = 0, 0 // the tar's size is not the file's
		key += fmt.Sprintf("\x00%d\x00%d\x00%o", files[0].size, files[0].mtime, files[0].mode&0o111)
	}
	d, n, ok := bp.cache.lookup(key, size, mtime)
	if !ok {
		rc, err := l.open()
		if err != nil {
			return v1.Descriptor{}, err
		}
		d, n, err = hashStream(ctxReader{ctx, rc})
		rc.Close()
		if err != nil {
			return v1.Descriptor{}, fmt.Errorf("hashing the layer of %s: %w", prefix, err)
		}
		bp.cache.store(key, size, mtime, d, n)
	}
	l.desc.Digest, l.desc.Size = d, n
	l.desc.Annotations = map[string]string{AnnotationTitle: prefix}
	if err := bp.upload(ctx, l); err != nil {
		return v1.Descriptor{}, err
	}
	l.desc.Annotations = nil // a title would make pull take the layer for one file
	return l.desc, nil
}

// tarOpener streams files as a reproducible plain tar through a pipe.
func tarOpener(files []localFile, prefix string) Opener {
	return func() (io.ReadCloser, error) {
		pr, pw := io.Pipe()
		go func() { pw.CloseWithError(writeTar(pw, files, prefix)) }()
		return pr, nil
	}
}

// putImage writes the config and manifest of one platform's image (the
// base's layers, then added), tagged with tag unless it is "".
func (bp *blobPusher) putImage(ctx context.Context, b *baseImage, added []v1.Descriptor, o ImageOptions, src sourceInfo, tag string) (v1.Descriptor, error) {
	cfg := b.config.DeepCopy()
	cfg.Created = v1.Time{Time: src.Created.UTC()}
	cfg.Author = ""
	c := &cfg.Config
	c.WorkingDir = o.WorkDir
	c.Env = mergeEnv(c.Env, o.Env)
	if len(o.Entrypoint) > 0 {
		c.Entrypoint, c.Cmd = o.Entrypoint, o.Cmd // as Docker: a new entrypoint drops the base's cmd
	} else if len(o.Cmd) > 0 {
		c.Cmd = o.Cmd
	}
	if o.User != "" {
		c.User = o.User
	}
	for _, p := range o.Ports {
		if !strings.Contains(p, "/") {
			p += "/tcp"
		}
		if c.ExposedPorts == nil {
			c.ExposedPorts = map[string]struct{}{}
		}
		c.ExposedPorts[p] = struct{}{}
	}
	labels := src.annotations()
	if b.name != "" {
		labels[AnnotationBaseName], labels[AnnotationBaseDigest] = b.name, b.digest.String()
	}
	for k, v := range o.Labels {
		labels[k] = v
	}
	if c.Labels == nil {
		c.Labels = map[string]string{}
	}
	for k, v := range labels {
		c.Labels[k] = v
	}
	layers := append([]v1.Descriptor(nil), b.layers...)
	for _, d := range added {
		layers = append(layers, d)
		cfg.RootFS.DiffIDs = append(cfg.RootFS.DiffIDs, d.Digest)
		cfg.History = append(cfg.History, v1.History{Created: cfg.Created, CreatedBy: "mlc package", Comment: "app files"})
	}
	if len(added) == 2 {
		cfg.History[len(cfg.History)-1].Comment = "model files"
	}
	cfg.RootFS.Type = "layers"
	rawCfg, err := json.Marshal(cfg)
	if err != nil {
		return v1.Descriptor{}, err
	}
	config, err := blobLayer(MediaTypeImageConfig, rawCfg)
	if err != nil {
		return v1.Descriptor{}, err
	}
	config.desc.Annotations = map[string]string{AnnotationTitle: "image config"}
	if err := bp.upload(ctx, config); err != nil {
		return v1.Descriptor{}, err
	}
	config.desc.Annotations = nil
	raw, err := json.Marshal(v1.Manifest{
		SchemaVersion: 2,
		MediaType:     MediaTypeManifest,
		Config:        config.desc,
		Layers:        layers,
		Annotations:   labels,
	})
	if err != nil {
		return v1.Descriptor{}, err
	}
	desc, err := bp.store.PutManifest(ctx, tag, MediaTypeManifest, raw)
	if err != nil {
		return v1.Descriptor{}, fmt.Errorf("package %s: %w", b.platform, err)
	}
	p := b.platform
	desc.Platform = &p
	desc.Annotations = nil
	return desc, nil
}

// mergeEnv sets each NAME=value of add in env, in place when env has NAME.
func mergeEnv(env, add []string) []string {
	out := append([]string(nil), env...)
	for _, kv := range add {
		name, _, _ := strings.Cut(kv, "=")
		replaced := false
		for i, old := range out {
			if n, _, _ := strings.Cut(old, "="); n == name {
				out[i], replaced = kv, true
			}
		}
		if !replaced {
			out = append(out, kv)
		}
	}
	return out
}
