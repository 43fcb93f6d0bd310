package artifact

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/config"
	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// writeTree creates files (slash path → content) under dir.
func writeTree(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// readTree returns every regular file under dir (slash path → content).
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		out[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func sameTree(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	if len(want) != len(got) {
		t.Fatalf("got %d files, want %d", len(got), len(want))
	}
	for name, w := range want {
		if g, ok := got[name]; !ok || !bytes.Equal(g, w) {
			t.Fatalf("file %s differs or is missing after the round trip", name)
		}
	}
}

// datasetTree has one large file, a few small files and many small files
// of one type (which are packed).
func datasetTree() map[string][]byte {
	rng := rand.New(rand.NewPCG(1, 2))
	big := make([]byte, 3<<20)
	for i := range big {
		big[i] = byte(rng.UintN(256))
	}
	files := map[string][]byte{"big.parquet": big, "README.md": []byte("# data\n")}
	for i := range 40 {
		files[fmt.Sprintf("rows/part-%03d.csv", i)] = []byte(fmt.Sprintf("id,x\n%d,%d\n", i, i*i))
	}
	return files
}

// gitProject makes a git repository holding files under data/ with one
// commit at a fixed time, and returns the data directory.
func gitProject(t *testing.T, files map[string][]byte, when time.Time) string {
	t.Helper()
	root := t.TempDir()
	data := filepath.Join(root, "data")
	writeTree(t, data, files)
	repo, err := git.PlainInit(root, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := repo.CreateRemote(&config.RemoteConfig{Name: "origin", URLs: []string{"git@github.com:acme/credit.git"}}); err != nil {
		t.Fatal(err)
	}
	wt, err := repo.Worktree()
	if err != nil {
		t.Fatal(err)
	}
	if err := wt.AddGlob("data"); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "t", Email: "t@example.com", When: when}
	if _, err := wt.Commit("data", &git.CommitOptions{Author: sig, Committer: sig}); err != nil {
		t.Fatal(err)
	}
	return data
}

func manifestOf(t *testing.T, ref Ref, opts Options) *v1.Manifest {
	t.Helper()
	store, err := Open(ref, opts)
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := fetchManifest(context.Background(), store, ref)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func TestPushPullRoundTripRegistry(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	files := datasetTree()
	when := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	src := gitProject(t, files, when)
	metrics := map[string]string{"accuracy": "0.93"}
	opts := PushOptions{Options: testOptions(), Kind: KindDataset, Metrics: metrics, CacheDir: t.TempDir()}

	res, err := Push(ctx, src, reg.ref(t, "ml/credit:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Files != len(files) || res.Layers != 3 { // big.parquet, README.md, rows/ packed
		t.Fatalf("pushed %d files in %d layers, want %d files in 3 layers", res.Files, res.Layers, len(files))
	}
	m := manifestOf(t, res.Ref, testOptions())
	if m.ArtifactType != ArtifactTypeDataset || m.Config.MediaType != MediaTypeEmpty {
		t.Errorf("artifactType %q config %q", m.ArtifactType, m.Config.MediaType)
	}
	if got := m.Annotations[AnnotationCreated]; got != "2026-03-01T12:00:00Z" {
		t.Errorf("created = %q, want the commit time", got)
	}
	if got := m.Annotations[AnnotationSource]; got != "https://github.com/acme/credit" {
		t.Errorf("source = %q", got)
	}
	if len(m.Annotations[AnnotationRevision]) != 40 || m.Annotations["dev.mlc.metric.accuracy"] != "0.93" {
		t.Errorf("annotations %v", m.Annotations)
	}
	titles := map[string]string{}
	for _, l := range m.Layers {
		titles[l.Annotations[AnnotationTitle]] = string(l.MediaType)
	}
	want := map[string]string{
		"big.parquet": "application/vnd.mlc.dataset.layer.v1.raw",
		"README.md":   "application/vnd.mlc.dataset.layer.v1.raw",
		"rows":        "application/vnd.mlc.dataset.layer.v1.tar+gzip", // unpacked by oras as a directory
	}
	for title, mt := range want {
		if titles[title] != mt {
			t.Errorf("layer %q has media type %q, want %q (layers: %v)", title, titles[title], mt, titles)
		}
	}

	dst := filepath.Join(t.TempDir(), "out")
	pulled, err := Pull(ctx, res.Ref, dst, PullOptions{Options: testOptions()})
	if err != nil {
		t.Fatal(err)
	}
	sameTree(t, files, readTree(t, dst))
	if pulled.Ref != res.Ref {
		t.Errorf("pulled %s, pushed %s", pulled.Ref, res.Ref)
	}

	// Re-push: same manifest digest, zero layer bytes on the wire.
	before := reg.uploaded.Load()
	again, err := Push(ctx, src, reg.ref(t, "ml/credit:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if again.Ref != res.Ref {
		t.Errorf("re-push gave %s, first push %s: not reproducible", again.Ref, res.Ref)
	}
	if sent := reg.uploaded.Load() - before; sent != 0 || again.LayerBytes != 0 {
		t.Errorf("re-push sent %d bytes to the registry (%d counted by push), want 0", sent, again.LayerBytes)
	}
}

func TestPushPullRoundTripLayout(t *testing.T) {
	ctx := context.Background()
	files := datasetTree()
	src := t.TempDir()
	writeTree(t, src, files)
	ref, err := ParseRef("oci:" + filepath.Join(t.TempDir(), "store") + ":credit:v1")
	if err != nil {
		t.Fatal(err)
	}
	res, err := Push(ctx, src, ref, PushOptions{Kind: KindCode})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := manifestOf(t, res.Ref, Options{}).Annotations[AnnotationCreated]; ok {
		t.Error("created annotation set outside git: it must never come from the clock")
	}
	dst := t.TempDir() // existing directory: files are moved in one by one
	writeTree(t, dst, map[string][]byte{"keep.txt": []byte("mine")})
	if _, err := Pull(ctx, ref, dst, PullOptions{}); err != nil {
		t.Fatal(err)
	}
	files["keep.txt"] = []byte("mine")
	sameTree(t, files, readTree(t, dst))

	// A directory where the artifact has a file: refused before any move.
	clash := t.TempDir()
	writeTree(t, clash, map[string][]byte{"big.parquet/x": []byte("x")})
	if _, err := Pull(ctx, ref, clash, PullOptions{}); err == nil || !strings.Contains(err.Error(), "the artifact has a file where") {
		t.Fatalf("pull over a clashing directory: %v", err)
	}
	if got := readTree(t, clash); len(got) != 1 {
		t.Errorf("a refused pull moved %d files in", len(got)-1)
	}
}

func TestPushModelUsesModelPack(t *testing.T) {
	ctx := context.Background()
	weights := bytes.Repeat([]byte{7}, 2<<20)
	files := map[string][]byte{"model.safetensors": weights, "config.json": []byte(`{"layers":2}`), "README.md": []byte("card")}
	src := t.TempDir()
	writeTree(t, src, files)
	reg := newTestRegistry(t)
	res, err := Push(ctx, src, reg.ref(t, "ml/model:v1"), PushOptions{Options: testOptions(), Kind: KindModel})
	if err != nil {
		t.Fatal(err)
	}
	m := manifestOf(t, res.Ref, testOptions())
	if m.ArtifactType != ArtifactTypeModel || m.Config.MediaType != MediaTypeModelConfig {
		t.Fatalf("artifactType %q config %q", m.ArtifactType, m.Config.MediaType)
	}
	want := map[string]string{
		"model.safetensors": "application/vnd.cncf.model.weight.v1.raw",
		"config.json":       "application/vnd.cncf.model.weight.config.v1.raw",
		"README.md":         "application/vnd.cncf.model.doc.v1.raw",
	}
	for _, l := range m.Layers {
		name := l.Annotations[AnnotationFilepath]
		if string(l.MediaType) != want[name] {
			t.Errorf("%s: media type %s, want %s", name, l.MediaType, want[name])
		}
		if name == "model.safetensors" && (l.Size != int64(len(weights))) {
			t.Errorf("weights stored as %d bytes, want them uncompressed (%d)", l.Size, len(weights))
		}
	}
	store, _ := Open(res.Ref, testOptions())
	rc, err := store.Blob(ctx, m.Config.Digest)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	var cfg struct {
		Config  struct{ Format string } `json:"config"`
		ModelFS struct {
			Type    string    `json:"type"`
			DiffIDs []v1.Hash `json:"diffIds"`
		} `json:"modelfs"`
	}
	if err := json.NewDecoder(rc).Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Config.Format != "safetensors" || cfg.ModelFS.Type != "layers" || len(cfg.ModelFS.DiffIDs) != len(m.Layers) {
		t.Errorf("ModelPack config %+v", cfg)
	}
	// Content addressing: the same model under another tag is the same
	// manifest.
	other, err := Push(ctx, src, reg.ref(t, "ml/model:candidate"), PushOptions{Options: testOptions(), Kind: KindModel})
	if err != nil || other.Ref != res.Ref {
		t.Errorf("push under another tag gave %s (%v), want %s", other.Ref, err, res.Ref)
	}

	// --only model fetches the weights and their config, not the card.
	dst := filepath.Join(t.TempDir(), "w")
	if _, err := Pull(ctx, res.Ref, dst, PullOptions{Options: testOptions(), Only: "model"}); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, dst)
	if _, ok := got["README.md"]; ok || len(got) != 2 {
		t.Errorf("--only model pulled %d files", len(got))
	}
}

func TestPullOnlyPathFiltersPackedFiles(t *testing.T) {
	ctx := context.Background()
	files := datasetTree()
	src := t.TempDir()
	writeTree(t, src, files)
	ref, _ := ParseRef("oci:" + filepath.Join(t.TempDir(), "s") + ":d")
	if _, err := Push(ctx, src, ref, PushOptions{Kind: KindDataset}); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "o")
	if _, err := Pull(ctx, ref, dst, PullOptions{Only: "rows/part-007.csv"}); err != nil {
		t.Fatal(err)
	}
	got := readTree(t, dst)
	if len(got) != 1 || !bytes.Equal(got["rows/part-007.csv"], files["rows/part-007.csv"]) {
		t.Errorf("--only PATH pulled %v", keys(got))
	}
	if _, err := Pull(ctx, ref, filepath.Join(t.TempDir(), "n"), PullOptions{Only: "nope"}); err == nil ||
		!strings.Contains(err.Error(), "nothing matches") {
		t.Errorf("--only of a missing path: %v", err)
	}
}

func keys(m map[string][]byte) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestPromoteRetagsWithoutUpload(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"a.csv": []byte("x\n1\n")})
	res, err := Push(ctx, src, reg.ref(t, "ml/d:staging"), PushOptions{Options: testOptions(), Kind: KindDataset})
	if err != nil {
		t.Fatal(err)
	}
	uploads := reg.count("POST", "/blobs/uploads/")
	got, err := Promote(ctx, res.Ref, "production", testOptions())
	if err != nil {
		t.Fatal(err)
	}
	if got != res.Ref {
		t.Errorf("promoted %s, want %s", got, res.Ref)
	}
	if n := reg.count("POST", "/blobs/uploads/"); n != uploads {
		t.Errorf("promote started %d blob uploads", n-uploads)
	}
	store, _ := Open(res.Ref, testOptions())
	desc, err := store.Resolve(ctx, "production")
	if err != nil || desc.Digest.String() != res.Ref.Digest {
		t.Errorf("production → %v (%v), want %s", desc.Digest, err, res.Ref.Digest)
	}
	if _, err := Promote(ctx, res.Ref, "bad tag", testOptions()); err == nil {
		t.Error("promote to an invalid tag succeeded")
	}
}

func TestReadAnnotationsAndMetrics(t *testing.T) {
	dir := t.TempDir()
	mf := filepath.Join(dir, "metrics.json")
	writeTree(t, dir, map[string][]byte{"metrics.json": []byte(`{"accuracy": 0.9300, "loss": {"val": 1e-3}}`), "m/w.bin": []byte("w")})
	metrics, err := ReadMetrics(mf)
	if err != nil {
		t.Fatal(err)
	}
	if metrics["accuracy"] != "0.93" || metrics["loss.val"] != "0.001" {
		t.Fatalf("metrics %v", metrics)
	}
	ref := "oci:" + filepath.Join(dir, "store") + ":m:v1"
	r, _ := ParseRef(ref)
	if _, err := Push(context.Background(), filepath.Join(dir, "m"), r, PushOptions{Kind: KindModel, Metrics: metrics}); err != nil {
		t.Fatal(err)
	}
	ann, err := ReadAnnotations(context.Background(), ref)
	if err != nil {
		t.Fatal(err)
	}
	if ann["dev.mlc.metric.accuracy"] != "0.93" || ann["dev.mlc.metric.loss.val"] != "0.001" {
		t.Errorf("annotations %v", ann)
	}
	writeTree(t, dir, map[string][]byte{"bad.json": []byte(`{"accuracy": "high"}`)})
	if _, err := ReadMetrics(filepath.Join(dir, "bad.json")); err == nil || !strings.Contains(err.Error(), "accuracy") {
		t.Errorf("non-numeric metric: %v", err)
	}
}

// Deploy jobs promote the application image too: a multi-platform index
// must be re-tagged as it is.
func TestPromoteImageIndex(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	idx, err := random.Index(64, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	tag, err := name.NewTag(reg.host + "/app/web:build-1")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.WriteIndex(tag, idx); err != nil {
		t.Fatal(err)
	}
	d, _ := idx.Digest()
	src := reg.ref(t, "app/web@"+d.String())
	if _, err := Promote(ctx, src, "production", testOptions()); err != nil {
		t.Fatal(err)
	}
	store, _ := Open(src, testOptions())
	got, err := store.Resolve(ctx, "production")
	if err != nil || got.Digest != d || got.MediaType != MediaTypeIndex {
		t.Errorf("production → %s %s (%v), want the index %s", got.Digest, got.MediaType, err, d)
	}
}
