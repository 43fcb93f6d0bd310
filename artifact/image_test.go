package artifact

import (
	"archive/tar"
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	ggcr "github.com/google/go-containerregistry/pkg/v1/remote"
)

// pushBaseIndex pushes a two-platform base image (random layers, a PATH in
// its env) to the test registry and returns its reference.
func pushBaseIndex(t *testing.T, reg *testRegistry) string {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, arch := range []string{"amd64", "arm64"} {
		img, err := random.Image(2048, 2)
		if err != nil {
			t.Fatal(err)
		}
		cfg, err := img.ConfigFile()
		if err != nil {
			t.Fatal(err)
		}
		cfg = cfg.DeepCopy()
		cfg.OS, cfg.Architecture = "linux", arch
		cfg.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin", "LANG=C.UTF-8"}
		cfg.Config.Cmd = []string{"python3"}
		if img, err = mutate.ConfigFile(img, cfg); err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: &v1.Platform{OS: "linux", Architecture: arch}}})
	}
	idx := mutate.AppendManifests(empty.Index, adds...)
	ref := reg.host + "/library/python:3.12-slim"
	r, err := name.ParseReference(ref)
	if err != nil {
		t.Fatal(err)
	}
	if err := ggcr.WriteIndex(r, idx); err != nil {
		t.Fatal(err)
	}
	return ref
}

// appContext is a build context with files .dockerignore excludes and the
// model pulled into model/.
func appContext(t *testing.T) (ctxDir, modelDir string) {
	t.Helper()
	ctxDir = t.TempDir()
	writeTree(t, ctxDir, map[string][]byte{
		"app.py":          []byte("print('serving')\n"),
		"lib/score.py":    []byte("def score(x): return 0.5\n"),
		".dockerignore":   []byte("# not shipped\n*.log\nsecrets/\n"),
		"debug.log":       []byte("noise"),
		"secrets/key":     []byte("do not ship"),
		"model/model.bin": bytes.Repeat([]byte{7}, 4096),
		"model/meta.json": []byte(`{"auc":0.9}`),
	})
	return ctxDir, filepath.Join(ctxDir, "model")
}

func imageOptions(base, ctxDir, modelDir string) ImageOptions {
	return ImageOptions{
		Options: testOptions(), Base: base, Context: ctxDir, ModelDir: modelDir,
		Cmd: []string{"python", "app.py"}, Env: []string{"PORT=8080", "LANG=en_US.UTF-8"},
		User: "65532", Ports: []string{"8080"},
		Labels: map[string]string{"dev.mlc.model": "reg/ml/model-scorer@sha256:" + strings.Repeat("a", 64)},
	}
}

// layerFiles lists the regular files in a tar layer.
func layerFiles(t *testing.T, l v1.Layer) map[string]string {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	files := map[string]string{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(tr)
		if h.ModTime.Unix() != 0 || h.Uid != 0 || h.Gid != 0 {
			t.Errorf("%s: mtime %v uid %d gid %d, want fixed", h.Name, h.ModTime, h.Uid, h.Gid)
		}
		files[h.Name] = string(b)
	}
}

func TestBuildImageOnMultiPlatformBase(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	base := pushBaseIndex(t, reg)
	ctxDir, modelDir := appContext(t)
	before := reg.uploaded.Load()
	res, err := BuildImage(ctx, reg.ref(t, "ml/app-api:rev1"), imageOptions(base, ctxDir, modelDir))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Platforms, []string{"linux/amd64", "linux/arm64"}) || res.AppFiles != 3 || res.ModelFiles != 2 {
		t.Errorf("result %+v, want both platforms, 3 app files (.dockerignore, app.py, lib/score.py), 2 model files", res)
	}
	r, _ := name.ParseReference(res.Ref.String())
	idx, err := ggcr.Index(r)
	if err != nil {
		t.Fatal(err)
	}
	im, _ := idx.IndexManifest()
	baseIdx, _ := ggcr.Index(mustParse(t, base))
	baseIM, _ := baseIdx.IndexManifest()
	var added int64
	for i, d := range im.Manifests {
		img, err := idx.Image(d.Digest)
		if err != nil {
			t.Fatal(err)
		}
		baseImg, _ := baseIdx.Image(baseIM.Manifests[i].Digest)
		layers, _ := img.Layers()
		baseLayers, _ := baseImg.Layers()
		if len(layers) != len(baseLayers)+2 {
			t.Fatalf("%s: %d layers, want the base's %d + app + model", d.Platform, len(layers), len(baseLayers))
		}
		for j, bl := range baseLayers {
			want, _ := bl.Digest()
			if got, _ := layers[j].Digest(); got != want {
				t.Errorf("%s layer %d is %s, want the base's %s", d.Platform, j, got, want)
			}
		}
		app, model := layerFiles(t, layers[len(layers)-2]), layerFiles(t, layers[len(layers)-1])
		if keys := sortedNames(app); !slices.Equal(keys, []string{"app/.dockerignore", "app/app.py", "app/lib/score.py"}) {
			t.Errorf("app layer holds %v", keys)
		}
		if keys := sortedNames(model); !slices.Equal(keys, []string{"app/model/meta.json", "app/model/model.bin"}) {
			t.Errorf("model layer holds %v", keys)
		}
		cfg, _ := img.ConfigFile()
		c := cfg.Config
		if c.WorkingDir != "/app" || c.User != "65532" || !slices.Equal(c.Cmd, []string{"python", "app.py"}) {
			t.Errorf("config: workdir %q user %q cmd %v", c.WorkingDir, c.User, c.Cmd)
		}
		if want := []string{"PATH=/usr/local/bin:/usr/bin", "LANG=en_US.UTF-8", "PORT=8080"}; !slices.Equal(c.Env, want) {
			t.Errorf("env %v, want %v (the base's PATH kept, LANG replaced in place)", c.Env, want)
		}
		if _, ok := c.ExposedPorts["8080/tcp"]; !ok {
			t.Errorf("exposed ports %v", c.ExposedPorts)
		}
		if c.Labels[AnnotationBaseName] != reg.host+"/library/python" || c.Labels[AnnotationBaseDigest] != baseIM.Manifests[i].Digest.String() ||
			c.Labels["dev.mlc.model"] == "" {
			t.Errorf("labels %v", c.Labels)
		}
		if !cfg.Created.Time.Equal(time.Unix(0, 0)) || len(cfg.RootFS.DiffIDs) != len(layers) {
			t.Errorf("created %v, %d diff IDs for %d layers", cfg.Created, len(cfg.RootFS.DiffIDs), len(layers))
		}
		if i == 0 {
			for _, l := range layers[len(layers)-2:] {
				n, _ := l.Size()
				added += n
			}
		}
	}
	// The base's layers were in the registry: only the new layers and the
	// configs and manifests are sent.
	if sent := reg.uploaded.Load() - before; sent > added+8<<10 {
		t.Errorf("sent %d bytes; the new layers are %d: base layers were uploaded again", sent, added)
	}
}

func TestBuildImageIsReproducible(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	base := pushBaseIndex(t, reg)
	ctxDir, modelDir := appContext(t)
	opts := imageOptions(base, ctxDir, modelDir)
	first, err := BuildImage(ctx, reg.ref(t, "ml/app-api:a"), opts)
	if err != nil {
		t.Fatal(err)
	}
	// Another machine: other mtimes, no digest cache, a layout as target.
	later := time.Now().Add(72 * time.Hour)
	filepath.Walk(ctxDir, func(p string, _ os.FileInfo, _ error) error { return os.Chtimes(p, later, later) })
	second, err := BuildImage(ctx, Ref{Layout: t.TempDir(), Tag: "b"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if first.Ref.Digest != second.Ref.Digest {
		t.Errorf("same inputs gave %s and %s", first.Ref.Digest, second.Ref.Digest)
	}
	opts.Cmd = []string{"python", "other.py"}
	third, err := BuildImage(ctx, reg.ref(t, "ml/app-api:c"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if third.Ref.Digest == first.Ref.Digest {
		t.Error("a different command gave the same digest")
	}
}

func TestBuildImageOnScratchPulls(t *testing.T) {
	ctx := context.Background()
	ctxDir, modelDir := appContext(t)
	store := t.TempDir()
	opts := imageOptions(Scratch, ctxDir, modelDir)
	opts.Platforms = []string{"linux/arm64"}
	res, err := BuildImage(ctx, Ref{Layout: store, Tag: "api"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Platforms, []string{"linux/arm64"}) || res.Descriptor.MediaType != MediaTypeManifest {
		t.Fatalf("scratch image: %+v", res)
	}
	dst := filepath.Join(t.TempDir(), "rootfs")
	if _, err := Pull(ctx, res.Ref, dst, PullOptions{Options: testOptions()}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"app/app.py", "app/lib/score.py", "app/model/model.bin"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err != nil {
			t.Errorf("pulled image lacks %s: %v", f, err)
		}
	}
	for _, f := range []string{"app/debug.log", "app/secrets/key", "app/model/model/model.bin"} {
		if _, err := os.Stat(filepath.Join(dst, f)); err == nil {
			t.Errorf("pulled image holds %s", f)
		}
	}
}

// A scratch image for several platforms is an index with an image each;
// a platform's own context (a binary built for it) replaces the shared
// one in its image only, and the model layer is the same in both.
func TestBuildImageOnScratchPerPlatform(t *testing.T) {
	ctx := context.Background()
	ctxDir, modelDir := appContext(t)
	arm := t.TempDir()
	writeTree(t, arm, map[string][]byte{"app.py": []byte("print('arm64')\n")})
	opts := imageOptions(Scratch, ctxDir, modelDir)
	opts.Platforms = []string{"linux/amd64", "linux/arm64"}
	opts.PlatformContexts = map[string]string{"linux/arm64": arm}
	store := t.TempDir()
	res, err := BuildImage(ctx, Ref{Layout: store, Tag: "tool"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Platforms, opts.Platforms) || res.Descriptor.MediaType != MediaTypeIndex {
		t.Fatalf("scratch image for two platforms: %+v", res)
	}
	s, err := Open(res.Ref, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	raw, _, err := s.Manifest(ctx, res.Descriptor.Digest)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var models []v1.Hash
	for i, want := range []string{"print('serving')\n", "print('arm64')\n"} {
		m := idx.Manifests[i]
		if m.Platform == nil || m.Platform.String() != opts.Platforms[i] {
			t.Fatalf("index entry %d is for %v, want %s", i, m.Platform, opts.Platforms[i])
		}
		dst := filepath.Join(t.TempDir(), "rootfs")
		if _, err := Pull(ctx, res.Ref.WithDigest(m.Digest), dst, PullOptions{Options: testOptions()}); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(filepath.Join(dst, "app/app.py")); string(got) != want {
			t.Errorf("%s: app.py is %q, want %q", m.Platform, got, want)
		}
		if _, err := os.Stat(filepath.Join(dst, "app/lib/score.py")); (i == 0) != (err == nil) {
			t.Errorf("%s: lib/score.py present: %v, want only in the shared context's image", m.Platform, err == nil)
		}
		raw, _, err := s.Manifest(ctx, m.Digest)
		if err != nil {
			t.Fatal(err)
		}
		man, err := v1.ParseManifest(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		models = append(models, man.Layers[len(man.Layers)-1].Digest)
	}
	if len(models) != 2 || models[0] != models[1] {
		t.Errorf("model layers %v, want one layer shared", models)
	}
	opts.PlatformContexts = map[string]string{"linux/s390x": arm}
	if _, err := BuildImage(ctx, Ref{Layout: store, Tag: "bad"}, opts); err == nil || !strings.Contains(err.Error(), "no image for it is built") {
		t.Errorf("a context for a platform not built: %v", err)
	}
}

// Files packaged at the root (a tool image: workdir /) are entries relative
// to it, as every image's are, and pull back in place.
func TestBuildImageAtTheRoot(t *testing.T) {
	ctx := context.Background()
	ctxDir, _ := appContext(t)
	opts := imageOptions(Scratch, ctxDir, "")
	opts.WorkDir = "/"
	res, err := BuildImage(ctx, Ref{Layout: t.TempDir(), Tag: "tool"}, opts)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "rootfs")
	if _, err := Pull(ctx, res.Ref, dst, PullOptions{Options: testOptions()}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dst, "lib/score.py")); err != nil {
		t.Errorf("pulled image lacks lib/score.py at its root: %v", err)
	}
}

func TestBuildImageRefusesBadInput(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	base := pushBaseIndex(t, reg)
	ctxDir, modelDir := appContext(t)
	dataset := t.TempDir()
	writeTree(t, dataset, map[string][]byte{"a.csv": []byte("x\n1\n")})
	ds, err := Push(ctx, dataset, reg.ref(t, "ml/data:v1"), PushOptions{Options: testOptions(), Kind: KindDataset})
	if err != nil {
		t.Fatal(err)
	}
	onlyIgnored := t.TempDir()
	writeTree(t, onlyIgnored, map[string][]byte{".dockerignore": []byte("*\n"), "a.py": []byte("x")})
	for _, tc := range []struct {
		name string
		edit func(*ImageOptions)
		want string
	}{
		{"not an image", func(o *ImageOptions) { o.Base = ds.Ref.String() }, "is not a container image"},
		{"platform missing", func(o *ImageOptions) { o.Platforms = []string{"linux/s390x"} }, "has no image for linux/s390x"},
		{"bad platform", func(o *ImageOptions) { o.Platforms = []string{"amd64"} }, "want OS/ARCH"},
		{"missing base tag", func(o *ImageOptions) { o.Base = reg.host + "/library/python:2" }, "base image"},
		{"everything ignored", func(o *ImageOptions) { o.Context, o.ModelDir = onlyIgnored, "" }, "every file of"},
		{"no tag", nil, "name a tag"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opts := imageOptions(base, ctxDir, modelDir)
			ref := reg.ref(t, "ml/app-api:x")
			if tc.edit != nil {
				tc.edit(&opts)
			} else {
				ref.Tag = ""
			}
			_, err := BuildImage(ctx, ref, opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

func mustParse(t *testing.T, s string) name.Reference {
	t.Helper()
	r, err := name.ParseReference(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sortedNames(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
