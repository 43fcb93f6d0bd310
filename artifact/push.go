package artifact

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"path"
	"strings"
	"sync"
	"sync/atomic"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/errgroup"
)

const (
	// smallFile is the size under which files may be packed into a tar.
	smallFile = 1 << 20
	// packMinFiles is how many small files of one type it takes to pack
	// them: a few files stay one layer each, thousands become one blob.
	packMinFiles = 16
	defaultJobs  = 4
)

// PushOptions configure Push.
type PushOptions struct {
	Options
	Kind Kind
	// Metrics become dev.mlc.metric.<name> manifest annotations.
	Metrics map[string]string
	// Annotations are added to the manifest's (the build's version).
	Annotations map[string]string
	// CacheDir holds the digest cache; "" disables it.
	CacheDir string
}

// PushResult describes a pushed artifact.
type PushResult struct {
	Ref        Ref // by digest
	Descriptor v1.Descriptor
	Layers     int
	Files      int
	// LayerBytes is how many blob bytes were sent (a retried upload counts
	// again); 0 when the store already held every blob.
	LayerBytes int64
}

// layer is one planned layer: a file, or a tar of several.
type layer struct {
	desc  v1.Descriptor
	files []localFile
	open  Opener
}

// Push stores the files under dir as an artifact and tags it with ref's
// tag. Blobs the store holds already are not sent again.
func Push(ctx context.Context, dir string, ref Ref, opts PushOptions) (PushResult, error) {
	if ref.Tag == "" {
		return PushResult{}, fmt.Errorf("push to %s: name a tag (REPO:TAG), the digest is computed", ref)
	}
	files, err := listFiles(dir)
	if err != nil {
		return PushResult{}, err
	}
	src, err := gitSource(dir)
	if err != nil {
		return PushResult{}, err
	}
	store, err := Open(ref, opts.Options)
	if err != nil {
		return PushResult{}, err
	}
	bp := &blobPusher{store: store, cache: openDigestCache(opts.CacheDir)}
	bp.tagged = sync.OnceValue(func() map[string]int64 { return taggedSizes(ctx, store, ref) })
	layers := planLayers(opts.Kind, files)
	if err := bp.pushLayers(ctx, layers, jobs(opts.Options)); err != nil {
		return PushResult{}, err
	}
	config, err := configBlob(opts.Kind, layers, src, ref)
	if err != nil {
		return PushResult{}, err
	}
	if err := bp.upload(ctx, config); err != nil {
		return PushResult{}, err
	}
	raw, err := manifestJSON(opts.Kind, config.desc, layers, src, opts.Metrics, opts.Annotations)
	if err != nil {
		return PushResult{}, err
	}
	desc, err := store.PutManifest(ctx, ref.Tag, MediaTypeManifest, raw)
	if err != nil {
		return PushResult{}, fmt.Errorf("push %s: %w", ref, err)
	}
	if err := bp.cache.save(); err != nil {
		return PushResult{}, fmt.Errorf("saving digest cache: %w", err)
	}
	return PushResult{Ref: ref.WithDigest(desc.Digest), Descriptor: desc, Layers: len(layers), Files: len(files), LayerBytes: bp.sent.Load()}, nil
}

func jobs(o Options) int {
	if o.Jobs > 0 {
		return o.Jobs
	}
	return defaultJobs
}

// planLayers gives large files a layer each and packs the small files of
// one media type and top-level directory into one layer when there are
// many of them. A packed layer is titled with its directory ("." for the
// top level) and its entries keep their full paths, which is how oras
// unpacks a directory layer.
func planLayers(k Kind, files []localFile) []layer {
	type groupKey struct{ mediaType, dir string }
	small := map[groupKey][]localFile{}
	var order []groupKey
	var out []layer
	for _, f := range files {
		if f.size >= smallFile {
			out = append(out, fileLayer(k, f))
			continue
		}
		key := groupKey{layerMediaType(k, f.rel, true), topDir(f.rel)}
		if _, ok := small[key]; !ok {
			order = append(order, key)
		}
		small[key] = append(small[key], f)
	}
	for _, key := range order {
		group := small[key]
		if len(group) < packMinFiles {
			for _, f := range group {
				out = append(out, fileLayer(k, f))
			}
			continue
		}
		ann := map[string]string{AnnotationTitle: key.dir, AnnotationUnpack: "true"}
		if k == KindModel {
			ann[AnnotationFilepath] = key.dir
		}
		out = append(out, layer{
			desc:  v1.Descriptor{MediaType: types.MediaType(key.mediaType), Annotations: ann},
			files: group,
			open:  packOpener(group),
		})
	}
	return out
}

// topDir is the first component of a slash path, "." for a top-level file.
func topDir(rel string) string {
	if dir, _, ok := strings.Cut(rel, "/"); ok {
		return dir
	}
	return "."
}

func fileLayer(k Kind, f localFile) layer {
	ann := map[string]string{AnnotationTitle: f.rel}
	if k == KindModel {
		ann[AnnotationFilepath] = f.rel
	}
	return layer{
		desc:  v1.Descriptor{MediaType: types.MediaType(layerMediaType(k, f.rel, false)), Size: f.size, Annotations: ann},
		files: []localFile{f},
		open:  func() (io.ReadCloser, error) { return f.open() },
	}
}

// blobPusher digests and uploads the blobs of one push.
type blobPusher struct {
	store  Store
	cache  *digestCache
	tagged func() map[string]int64 // taggedSizes, read once a file could stream
	sent   atomic.Int64            // blob bytes the store read
}

// taggedSizes maps the titles of the layers the tag now holds to their
// sizes. A file with the same path and size is most likely unchanged, so
// it is hashed first and the HEAD check skips its upload, rather than
// streamed while it is hashed. This keeps a re-push from a machine without
// the digest cache (a fresh CI runner) from sending layer bytes.
func taggedSizes(ctx context.Context, store Store, ref Ref) map[string]int64 {
	m, _, err := fetchManifest(ctx, store, ref)
	if err != nil {
		return nil // a new tag, or the push itself will report the problem
	}
	sizes := map[string]int64{}
	for _, l := range m.Layers {
		sizes[l.Annotations[AnnotationTitle]] = l.Size
	}
	return sizes
}

// pushLayers digests and uploads the layers, n at a time.
func (bp *blobPusher) pushLayers(ctx context.Context, layers []layer, n int) error {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	for i := range layers {
		g.Go(func() error { return bp.push(ctx, &layers[i]) })
	}
	return g.Wait()
}

// push uploads one layer and fills in its digest (and a packed layer's
// size): from the cache when its files are unchanged, else by hashing
// them; a large file that looks new is uploaded while it is hashed when
// the store can take a blob that way.
func (bp *blobPusher) push(ctx context.Context, l *layer) error {
	key, size, mtime := cacheKey(l)
	if d, blobSize, ok := bp.cache.lookup(key, size, mtime); ok {
		l.desc.Digest, l.desc.Size = d, blobSize
		return bp.upload(ctx, *l)
	}
	hash := func(ctx context.Context) (v1.Hash, int64, error) {
		d, n, err := bp.hash(ctx, l)
		if err == nil {
			bp.cache.store(key, size, mtime, d, n)
		}
		return d, n, err
	}
	title := l.desc.Annotations[AnnotationTitle]
	if s, ok := bp.store.(Streamer); ok && len(l.files) == 1 && l.desc.Size >= smallFile && bp.tagged()[title] != l.desc.Size {
		d, err := s.PutBlobHashing(ctx, l.desc, bp.counted(l.open), func(ctx context.Context) (v1.Hash, error) {
			d, _, err := hash(ctx)
			return d, err
		})
		if err != nil {
			return fmt.Errorf("uploading %s: %w", title, err)
		}
		l.desc.Digest = d
		bp.cache.pushedTo(d, bp.store.Location())
		return nil
	}
	d, n, err := hash(ctx)
	if err != nil {
		return err
	}
	l.desc.Digest, l.desc.Size = d, n
	return bp.upload(ctx, *l)
}

// hash streams a layer's content through SHA-256.
func (bp *blobPusher) hash(ctx context.Context, l *layer) (v1.Hash, int64, error) {
	rc, err := l.open()
	if err != nil {
		return v1.Hash{}, 0, err
	}
	defer rc.Close()
	d, n, err := hashStream(ctxReader{ctx, rc})
	if err != nil {
		return v1.Hash{}, 0, fmt.Errorf("hashing %s: %w", l.desc.Annotations[AnnotationTitle], err)
	}
	if len(l.files) == 1 && n != l.desc.Size {
		return v1.Hash{}, 0, fmt.Errorf("%s changed size while pushing", l.files[0].abs)
	}
	return d, n, nil
}

// upload sends a blob the store lacks; a blob another repository of the
// same registry received is mounted from there.
func (bp *blobPusher) upload(ctx context.Context, b layer) error {
	open := bp.counted(b.open)
	var err error
	mounter, canMount := bp.store.(Mounter)
	if from := mountSource(bp.store, bp.cache, b.desc.Digest); canMount && from != "" {
		err = mounter.PutBlobMounting(ctx, b.desc, open, from)
	} else {
		err = bp.store.PutBlob(ctx, b.desc, open)
	}
	if err != nil {
		return fmt.Errorf("uploading %s: %w", b.desc.Annotations[AnnotationTitle], err)
	}
	bp.cache.pushedTo(b.desc.Digest, bp.store.Location())
	return nil
}

// counted adds the bytes the store reads from a blob to bp.sent. Reading
// through it also keeps net/http from sendfile(2), which was the slower of
// the two on loopback (1 GiB: about 2.2 s against 1.9 s).
func (bp *blobPusher) counted(open Opener) Opener {
	return func() (io.ReadCloser, error) {
		rc, err := open()
		if err != nil {
			return nil, err
		}
		return struct {
			io.Reader
			io.Closer
		}{countingReader{rc, &bp.sent}, rc}, nil
	}
}

// countingReader adds the bytes read through it to n.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n.Add(int64(k))
	return k, err
}

// ctxReader stops a read once ctx is done: hashing a large file that no
// longer needs a digest ends at the next chunk.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// hashStream is v1.SHA256 with a 1 MiB buffer: fewer reads of large files.
func hashStream(r io.Reader) (v1.Hash, int64, error) {
	h := sha256.New()
	buf := copyBuffers.Get().(*[]byte)
	defer copyBuffers.Put(buf)
	n, err := io.CopyBuffer(h, struct{ io.Reader }{r}, *buf)
	if err != nil {
		return v1.Hash{}, n, err
	}
	return v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(h.Sum(nil))}, n, nil
}

// cacheKey identifies a layer's content by path, size and mtime: the
// file's own for a single file; for a tar, a key hashing every member's
// (size and mtime are then 0).
func cacheKey(l *layer) (key string, size, mtime int64) {
	if len(l.files) == 1 {
		f := l.files[0]
		return f.abs, f.size, f.mtime
	}
	h := sha256.New()
	for _, f := range l.files {
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%d\x00%o\n", f.rel, f.abs, f.size, f.mtime, f.mode&0o111)
	}
	return fmt.Sprintf("tar:%x", h.Sum(nil)), 0, 0
}

// mountSource picks a repository of the same registry known to hold d.
func mountSource(store Store, cache *digestCache, d v1.Hash) string {
	loc := store.Location()
	for _, r := range cache.holders(d) {
		if r != loc && registryHost(r) == registryHost(loc) {
			return r
		}
	}
	return ""
}

// configBlob is the ModelPack config of a model, the empty config else.
func configBlob(k Kind, layers []layer, src sourceInfo, ref Ref) (layer, error) {
	raw := emptyConfig
	mt := MediaTypeEmpty
	if k == KindModel {
		var err error
		if raw, err = modelPackConfig(layers, src, ref); err != nil {
			return layer{}, err
		}
		mt = MediaTypeModelConfig
	}
	return blobLayer(mt, raw)
}

// blobLayer is an in-memory blob (a config) ready to upload.
func blobLayer(mediaType string, raw []byte) (layer, error) {
	d, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return layer{}, err
	}
	return layer{desc: v1.Descriptor{MediaType: types.MediaType(mediaType), Digest: d, Size: size}, open: BytesOpener(raw)}, nil
}

// modelPackConfig is the CNCF ModelPack model config: descriptor, config
// (format when the weights agree on one) and modelfs (the layer digests).
func modelPackConfig(layers []layer, src sourceInfo, ref Ref) ([]byte, error) {
	type descriptor struct {
		CreatedAt string `json:"createdAt,omitempty"`
		Name      string `json:"name,omitempty"`
		SourceURL string `json:"sourceURL,omitempty"`
		Revision  string `json:"revision,omitempty"`
	}
	type modelConfig struct {
		Format string `json:"format,omitempty"`
	}
	type modelFS struct {
		Type    string    `json:"type"`
		DiffIDs []v1.Hash `json:"diffIds"`
	}
	cfg := struct {
		Descriptor descriptor  `json:"descriptor"`
		Config     modelConfig `json:"config"`
		ModelFS    modelFS     `json:"modelfs"`
	}{
		Descriptor: descriptor{Name: modelName(ref), SourceURL: src.Source, Revision: src.Revision},
		ModelFS:    modelFS{Type: "layers", DiffIDs: []v1.Hash{}},
	}
	if created := src.annotations()[AnnotationCreated]; created != "" {
		cfg.Descriptor.CreatedAt = created
	}
	formats := map[string]bool{}
	for _, l := range layers {
		cfg.ModelFS.DiffIDs = append(cfg.ModelFS.DiffIDs, l.desc.Digest)
		if strings.Contains(string(l.desc.MediaType), ".weight.v1.raw") {
			formats[strings.TrimPrefix(path.Ext(l.files[0].rel), ".")] = true
		}
	}
	if len(formats) == 1 {
		for f := range formats {
			cfg.Config.Format = f
		}
	}
	return json.Marshal(cfg)
}

// modelName names a model after its repository, credit for
// ghcr.io/acme/ml/credit:v3 and for oci:.mlc/store:credit:v3. The tag is
// left out so the same model has the same digest under every tag.
func modelName(ref Ref) string {
	if ref.IsLayout() {
		name, _, _ := strings.Cut(ref.Tag, ":")
		return name
	}
	return path.Base(ref.Repository)
}

// manifestJSON builds the OCI 1.1 artifact manifest.
func manifestJSON(k Kind, config v1.Descriptor, layers []layer, src sourceInfo, metrics, extra map[string]string) ([]byte, error) {
	ann := src.annotations()
	maps.Copy(ann, extra)
	for name, v := range metrics {
		ann[AnnotationMetricPfx+name] = v
	}
	m := v1.Manifest{
		SchemaVersion: 2,
		MediaType:     MediaTypeManifest,
		ArtifactType:  artifactType(k),
		Config:        config,
		Layers:        make([]v1.Descriptor, len(layers)),
	}
	if config.MediaType == MediaTypeEmpty {
		m.Config.Data = emptyConfig
	}
	if len(ann) > 0 {
		m.Annotations = ann
	}
	for i, l := range layers {
		m.Layers[i] = l.desc
	}
	return json.Marshal(m)
}
