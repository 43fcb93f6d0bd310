package artifact

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// blob is a layer or config to hand-craft an artifact with.
type blob struct {
	mediaType   string
	annotations map[string]string
	content     []byte
}

func (b blob) descriptor() v1.Descriptor {
	d, size, _ := v1.SHA256(bytes.NewReader(b.content))
	return v1.Descriptor{MediaType: types.MediaType(b.mediaType), Digest: d, Size: size, Annotations: b.annotations}
}

// putArtifact stores a hand-made artifact (as another tool, or an
// attacker, could) and returns its reference by tag.
func putArtifact(t *testing.T, ref Ref, config blob, layers ...blob) {
	t.Helper()
	ctx := context.Background()
	store, err := Open(ref, testOptions())
	if err != nil {
		t.Fatal(err)
	}
	m := v1.Manifest{SchemaVersion: 2, MediaType: MediaTypeManifest, Config: config.descriptor()}
	for _, b := range append([]blob{config}, layers...) {
		if err := store.PutBlob(ctx, b.descriptor(), BytesOpener(b.content)); err != nil {
			t.Fatal(err)
		}
	}
	for _, l := range layers {
		m.Layers = append(m.Layers, l.descriptor())
	}
	raw, _ := json.Marshal(m)
	if _, err := store.PutManifest(ctx, ref.Tag, MediaTypeManifest, raw); err != nil {
		t.Fatal(err)
	}
}

func tarOf(t *testing.T, entries ...*tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, h := range entries {
		body := []byte("data")
		if h.Typeflag == tar.TypeReg {
			h.Size = int64(len(body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write(body)
		}
	}
	tw.Close()
	return buf.Bytes()
}

// assertUntouched checks that a failed pull left no trace: the target
// does not exist and its parent holds no staging directory.
func assertUntouched(t *testing.T, dst string) {
	t.Helper()
	if _, err := os.Lstat(dst); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("failed pull created %s", dst)
	}
	entries, _ := os.ReadDir(filepath.Dir(dst))
	for _, e := range entries {
		if strings.Contains(e.Name(), "mlc-pull") {
			t.Errorf("failed pull left %s behind", e.Name())
		}
	}
}

func layoutRef(t *testing.T, tag string) Ref {
	t.Helper()
	r, err := ParseRef("oci:" + filepath.Join(t.TempDir(), "store") + ":" + tag)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func emptyConfigBlob() blob { return blob{mediaType: MediaTypeEmpty, content: emptyConfig} }

func TestPullRefusesUnsafePaths(t *testing.T) {
	cases := map[string]blob{
		"title traversal": {mediaType: "application/octet-stream", annotations: map[string]string{AnnotationTitle: "../evil"}, content: []byte("x")},
		"absolute title":  {mediaType: "application/octet-stream", annotations: map[string]string{AnnotationTitle: "/tmp/evil"}, content: []byte("x")},
		"root as a file":  {mediaType: "application/octet-stream", annotations: map[string]string{AnnotationTitle: "."}, content: []byte("x")},
		"tar traversal": {mediaType: "application/vnd.mlc.dataset.layer.v1.tar", content: tarOf(t,
			&tar.Header{Name: "ok.txt", Typeflag: tar.TypeReg, Mode: 0o644},
			&tar.Header{Name: "../../evil", Typeflag: tar.TypeReg, Mode: 0o644})},
		"escaping link": {mediaType: "application/vnd.mlc.dataset.layer.v1.tar", content: tarOf(t,
			&tar.Header{Name: "passwd", Typeflag: tar.TypeSymlink, Linkname: "../../../etc/passwd"})},
		"write through link": {mediaType: "application/vnd.mlc.dataset.layer.v1.tar", content: tarOf(t,
			&tar.Header{Name: "d", Typeflag: tar.TypeSymlink, Linkname: "."},
			&tar.Header{Name: "d/x", Typeflag: tar.TypeReg, Mode: 0o644})},
		"device": {mediaType: "application/vnd.mlc.dataset.layer.v1.tar", content: tarOf(t,
			&tar.Header{Name: "dev", Typeflag: tar.TypeChar})},
	}
	for name, layer := range cases {
		t.Run(name, func(t *testing.T) {
			ref := layoutRef(t, "x")
			putArtifact(t, ref, emptyConfigBlob(), layer)
			dst := filepath.Join(t.TempDir(), "out")
			_, err := Pull(context.Background(), ref, dst, PullOptions{})
			if err == nil || !strings.Contains(err.Error(), "refusing") {
				t.Fatalf("pull: %v, want a refusal", err)
			}
			assertUntouched(t, dst)
		})
	}
}

func TestPullRefusesLinkInTargetLeadingOut(t *testing.T) {
	ref := layoutRef(t, "x")
	putArtifact(t, ref, emptyConfigBlob(), blob{mediaType: "application/octet-stream",
		annotations: map[string]string{AnnotationTitle: "data/passwd"}, content: []byte("x")})
	outside := t.TempDir()
	dst := t.TempDir()
	if err := os.Symlink(outside, filepath.Join(dst, "data")); err != nil {
		t.Fatal(err)
	}
	_, err := Pull(context.Background(), ref, dst, PullOptions{})
	if err == nil || !strings.Contains(err.Error(), "leads out") {
		t.Fatalf("pull through a link leading out of the target: %v", err)
	}
	if entries, _ := os.ReadDir(outside); len(entries) != 0 {
		t.Errorf("pull wrote %d files outside the target", len(entries))
	}
}

func TestPullRefusesNegativeSize(t *testing.T) {
	ref := layoutRef(t, "neg")
	store, _ := Open(ref, Options{})
	layer := blob{mediaType: "application/octet-stream", annotations: map[string]string{AnnotationTitle: "a"}, content: []byte("x")}
	d := layer.descriptor()
	if err := store.PutBlob(context.Background(), d, BytesOpener(layer.content)); err != nil {
		t.Fatal(err)
	}
	d.Size = -5
	m := manifestBytes(t, "application/vnd.test", nil, d)
	if _, err := store.PutManifest(context.Background(), "neg", MediaTypeManifest, m); err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "o")
	if _, err := Pull(context.Background(), ref, dst, PullOptions{}); err == nil || !strings.Contains(err.Error(), "invalid size") {
		t.Fatalf("pull of a layer with a negative size: %v", err)
	}
	assertUntouched(t, dst)
}

func TestPullTamperedBlobLayout(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"a.bin": bytes.Repeat([]byte("a"), 2<<20)})
	ref := layoutRef(t, "v1")
	res, err := Push(ctx, src, ref, PushOptions{Kind: KindDataset})
	if err != nil {
		t.Fatal(err)
	}
	m := manifestOf(t, res.Ref, Options{})
	blobFile := filepath.Join(ref.Layout, "blobs", "sha256", m.Layers[0].Digest.Hex)
	if err := os.WriteFile(blobFile, bytes.Repeat([]byte("b"), 2<<20), 0o644); err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	_, err = Pull(ctx, ref, dst, PullOptions{})
	if err == nil || !strings.Contains(err.Error(), "tampered") {
		t.Fatalf("pull of a tampered blob: %v", err)
	}
	if entries, _ := os.ReadDir(dst); len(entries) != 0 {
		t.Errorf("tampered pull wrote %d entries into the existing directory", len(entries))
	}
}

func TestPullTamperedBlobRegistry(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"a.bin": bytes.Repeat([]byte("a"), 2<<20), "b.txt": []byte("b")})
	res, err := Push(ctx, src, reg.ref(t, "ml/t:v1"), PushOptions{Options: testOptions(), Kind: KindDataset})
	if err != nil {
		t.Fatal(err)
	}
	// The registry serves a different body of the same length for blobs.
	large := manifestOf(t, res.Ref, testOptions()).Layers[0].Digest.Hex
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/sha256:") {
			return false
		}
		size := 1
		if strings.Contains(r.URL.Path, large) {
			size = 2 << 20
		}
		w.Write(bytes.Repeat([]byte("z"), size))
		return true
	})
	dst := filepath.Join(t.TempDir(), "out")
	if _, err := Pull(ctx, res.Ref, dst, PullOptions{Options: testOptions()}); err == nil || !strings.Contains(err.Error(), "tampered") {
		t.Fatalf("pull: %v, want a digest mismatch", err)
	}
	assertUntouched(t, dst)
}

func TestMissingTag(t *testing.T) {
	reg := newTestRegistry(t)
	for _, ref := range []Ref{reg.ref(t, "ml/none:v9"), layoutRef(t, "v9")} {
		dst := filepath.Join(t.TempDir(), "out")
		_, err := Pull(context.Background(), ref, dst, PullOptions{Options: testOptions()})
		if !errors.Is(err, fs.ErrNotExist) {
			t.Errorf("%s: %v, want not found", ref, err)
		}
		assertUntouched(t, dst)
	}
}

func TestRegistryDown(t *testing.T) {
	reg := newTestRegistry(t)
	ref := reg.ref(t, "ml/d:v1")
	reg.srv.Close()
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"a": []byte("a")})
	if _, err := Push(context.Background(), src, ref, PushOptions{Options: testOptions(), Kind: KindDataset}); err == nil {
		t.Fatal("push to a stopped registry succeeded")
	}
	dst := filepath.Join(t.TempDir(), "out")
	if _, err := Pull(context.Background(), ref, dst, PullOptions{Options: testOptions()}); err == nil {
		t.Fatal("pull from a stopped registry succeeded")
	}
	assertUntouched(t, dst)
}

// failFirst makes the first n requests that carry blob bytes (a PATCH, or
// a monolithic PUT) fail with fail, then lets requests through; it returns
// the number of such requests seen.
func failFirst(reg *testRegistry, n int64, fail func(w http.ResponseWriter, r *http.Request)) *atomic.Int64 {
	var patches atomic.Int64
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPatch && (r.Method != http.MethodPut || r.ContentLength <= 0 || !strings.Contains(r.URL.Path, "/blobs/uploads/")) {
			return false
		}
		if patches.Add(1) <= n {
			fail(w, r)
			return true
		}
		return false
	})
	return &patches
}

func TestTransientErrorsAreRetried(t *testing.T) {
	faults := map[string]func(w http.ResponseWriter, r *http.Request){
		"500": func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			http.Error(w, "boom", http.StatusInternalServerError)
		},
		"connection closed mid-upload": func(w http.ResponseWriter, r *http.Request) {
			io.CopyN(io.Discard, r.Body, 1<<20) // part of the blob, then hang up
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		},
	}
	for name, fail := range faults {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			reg := newTestRegistry(t)
			src := t.TempDir()
			files := map[string][]byte{"w.bin": bytes.Repeat([]byte("w"), 3<<20)}
			writeTree(t, src, files)
			patches := failFirst(reg, 1, fail)
			res, err := Push(ctx, src, reg.ref(t, "ml/r:v1"), PushOptions{Options: testOptions(), Kind: KindDataset})
			if err != nil {
				t.Fatalf("push did not recover from a transient fault: %v", err)
			}
			if patches.Load() < 3 { // two blobs, one of them sent twice
				t.Errorf("%d uploads, want a retry", patches.Load())
			}
			dst := filepath.Join(t.TempDir(), "o")
			if _, err := Pull(ctx, res.Ref, dst, PullOptions{Options: testOptions()}); err != nil {
				t.Fatal(err)
			}
			sameTree(t, files, readTree(t, dst))
		})
	}
}

func TestPersistent500Fails(t *testing.T) {
	reg := newTestRegistry(t)
	var posts atomic.Int64
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost {
			posts.Add(1)
			http.Error(w, "down for maintenance", http.StatusInternalServerError)
			return true
		}
		return false
	})
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"a": []byte("a")})
	_, err := Push(context.Background(), src, reg.ref(t, "ml/d:v1"), PushOptions{Options: testOptions(), Kind: KindDataset, CacheDir: ""})
	if err == nil || !strings.Contains(err.Error(), "500") {
		t.Fatalf("push: %v, want the 500 reported", err)
	}
	if posts.Load() < 2 {
		t.Errorf("%d upload attempts, want retries", posts.Load())
	}
}

func TestPlainHTTPOnlyWhenAsked(t *testing.T) {
	reg := newTestRegistry(t)
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"a": []byte("a")})
	opts := testOptions()
	opts.PlainHTTP = false
	_, err := Push(context.Background(), src, reg.ref(t, "ml/d:v1"), PushOptions{Options: opts, Kind: KindDataset})
	if err == nil || !strings.Contains(err.Error(), "--plain-http") {
		t.Fatalf("push over HTTP without --plain-http: %v", err)
	}
}

func TestCrossRepositoryMount(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	// The in-process registry shares blobs between repositories; make
	// repository "b" see only blobs mounted into it, and answer mounts.
	var mu sync.Mutex
	mounted := map[string]bool{}
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if !strings.HasPrefix(r.URL.Path, "/v2/ml/b/") {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		if r.Method == http.MethodHead && strings.Contains(r.URL.Path, "/blobs/") && !mounted[filepath.Base(r.URL.Path)] {
			w.WriteHeader(http.StatusNotFound)
			return true
		}
		if d := r.URL.Query().Get("mount"); r.Method == http.MethodPost && d != "" && r.URL.Query().Get("from") == "ml/a" {
			mounted[d] = true
			w.Header().Set("Location", "/v2/ml/b/blobs/"+d)
			w.WriteHeader(http.StatusCreated)
			return true
		}
		return false
	})
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"w.bin": bytes.Repeat([]byte("w"), 2<<20)})
	opts := PushOptions{Options: testOptions(), Kind: KindDataset, CacheDir: t.TempDir()}
	if _, err := Push(ctx, src, reg.ref(t, "ml/a:v1"), opts); err != nil {
		t.Fatal(err)
	}
	before := reg.uploaded.Load()
	res, err := Push(ctx, src, reg.ref(t, "ml/b:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(mounted) != 2 || reg.uploaded.Load() != before {
		t.Errorf("mounted %d blobs and uploaded %d bytes, want 2 mounts and no upload", len(mounted), reg.uploaded.Load()-before)
	}
	if res.LayerBytes != 0 {
		t.Errorf("push counted %d bytes sent", res.LayerBytes)
	}
}

func TestPullKitOpsModelKit(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tarOf(t, &tar.Header{Name: "models/model.gguf", Typeflag: tar.TypeReg, Mode: 0o644}))
	zw.Close()
	kitfile := blob{mediaType: MediaTypeKitConfig, content: []byte(`{"manifestVersion":"1.0","package":{"name":"demo"},"model":{"path":"models/model.gguf"},"datasets":[{"path":"data/train.csv"}]}`)}
	ref := layoutRef(t, "kit")
	putArtifact(t, ref, kitfile,
		blob{mediaType: "application/vnd.kitops.modelkit.model.v1.tar+gzip", content: gz.Bytes()},
		blob{mediaType: "application/vnd.kitops.modelkit.dataset.v1.tar", content: tarOf(t, &tar.Header{Name: "data/train.csv", Typeflag: tar.TypeReg, Mode: 0o644})},
	)
	dst := filepath.Join(t.TempDir(), "kit")
	res, err := Pull(context.Background(), ref, dst, PullOptions{Only: "model"})
	if err != nil {
		t.Fatal(err)
	}
	got := readTree(t, dst)
	if len(got) != 1 || string(got["models/model.gguf"]) != "data" {
		t.Errorf("pulled %v from a ModelKit", keys(got))
	}
	if res.Name != "demo" {
		t.Errorf("ModelKit name %q, want demo", res.Name)
	}
}

func TestPullRetriesCutOffDownload(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	src := t.TempDir()
	files := map[string][]byte{"w.bin": bytes.Repeat([]byte("w"), 3<<20)}
	writeTree(t, src, files)
	res, err := Push(ctx, src, reg.ref(t, "ml/c:v1"), PushOptions{Options: testOptions(), Kind: KindDataset})
	if err != nil {
		t.Fatal(err)
	}
	// The first download of the large blob stops halfway: the connection
	// closes although the full length was announced.
	var cut atomic.Bool
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || !strings.Contains(r.URL.Path, "/blobs/") || cut.Swap(true) {
			return false
		}
		w.Header().Set("Content-Length", "3145728")
		w.WriteHeader(http.StatusOK)
		w.Write(bytes.Repeat([]byte("w"), 1<<20))
		w.(http.Flusher).Flush()
		if conn, _, err := w.(http.Hijacker).Hijack(); err == nil {
			conn.Close()
		}
		return true
	})
	dst := filepath.Join(t.TempDir(), "o")
	if _, err := Pull(ctx, res.Ref, dst, PullOptions{Options: testOptions()}); err != nil {
		t.Fatalf("pull did not recover from a cut-off download: %v", err)
	}
	sameTree(t, files, readTree(t, dst))
	if reg.count("GET", "/blobs/sha256:") < 2 {
		t.Error("the cut-off blob was not fetched again")
	}
}

// oras gives plain files the OCI layer media type and packs directories as
// tar+gzip marked for unpacking; both must come out as files.
func TestPullOrasArtifact(t *testing.T) {
	var gz bytes.Buffer
	zw := gzip.NewWriter(&gz)
	zw.Write(tarOf(t, &tar.Header{Name: "sub/b.csv", Typeflag: tar.TypeReg, Mode: 0o644}))
	zw.Close()
	ref := layoutRef(t, "oras")
	putArtifact(t, ref, blob{mediaType: "application/vnd.unknown.config.v1+json", content: []byte("{}")},
		blob{mediaType: "application/vnd.oci.image.layer.v1.tar", annotations: map[string]string{AnnotationTitle: "a.txt"}, content: []byte("plain")},
		blob{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", content: gz.Bytes(), annotations: map[string]string{
			AnnotationTitle: "sub", "io.deis.oras.content.unpack": "true"}},
	)
	dst := filepath.Join(t.TempDir(), "o")
	if _, err := Pull(context.Background(), ref, dst, PullOptions{}); err != nil {
		t.Fatal(err)
	}
	sameTree(t, map[string][]byte{"a.txt": []byte("plain"), "sub/b.csv": []byte("data")}, readTree(t, dst))
}

// A large file the digest cache does not know is uploaded while it is
// hashed. When the digest shows the registry has the blob, the upload
// stops there: nothing is committed and the upload is cancelled.
func TestStreamedUploadStopsWhenRegistryHasBlob(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	src := t.TempDir()
	const size = 16 << 20
	writeTree(t, src, map[string][]byte{"w.bin": bytes.Repeat([]byte("w"), size)})
	opts := PushOptions{Options: testOptions(), Kind: KindDataset}
	first, err := Push(ctx, src, reg.ref(t, "ml/a:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if n := reg.count(http.MethodPatch, "/v2/ml/a/blobs/uploads/"); n != 1 {
		t.Errorf("first push made %d PATCH uploads, want the file streamed in 1", n)
	}
	commit := "digest=" + strings.ReplaceAll(manifestOf(t, first.Ref, testOptions()).Layers[0].Digest.String(), ":", "%3A")
	commits := reg.count(http.MethodPut, commit)

	// Uploads now crawl, so only the HEAD check can end this one soon.
	reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPatch {
			return false
		}
		buf := make([]byte, 64<<10)
		for {
			if _, err := r.Body.Read(buf); err != nil {
				return true
			}
			time.Sleep(2 * time.Millisecond)
		}
	})
	res, err := Push(ctx, src, reg.ref(t, "ml/b:v1"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.LayerBytes >= size {
		t.Errorf("sent %d bytes, want the upload stopped early", res.LayerBytes)
	}
	if n := reg.count(http.MethodPut, commit) - commits; n != 0 {
		t.Errorf("%d commits of a blob the registry had", n)
	}
	if n := reg.count(http.MethodDelete, "/v2/ml/b/blobs/uploads/"); n != 1 {
		t.Errorf("%d upload cancellations, want 1", n)
	}
}

// Without a digest cache (a fresh CI runner), a file whose path and size
// match the layer the tag holds is hashed first, so re-pushing an
// unchanged artifact sends no layer bytes.
func TestRepushWithoutCacheSendsNothing(t *testing.T) {
	ctx := context.Background()
	reg := newTestRegistry(t)
	src := t.TempDir()
	writeTree(t, src, map[string][]byte{"w.bin": bytes.Repeat([]byte("w"), 4<<20), "small.txt": []byte("s")})
	opts := PushOptions{Options: testOptions(), Kind: KindDataset}
	ref := reg.ref(t, "ml/a:v1")
	if _, err := Push(ctx, src, ref, opts); err != nil {
		t.Fatal(err)
	}
	patches, before := reg.count(http.MethodPatch, "/blobs/uploads/"), reg.uploaded.Load()
	res, err := Push(ctx, src, ref, opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.LayerBytes != 0 || reg.uploaded.Load() != before || reg.count(http.MethodPatch, "/blobs/uploads/") != patches {
		t.Errorf("re-push sent %d bytes (registry received %d), want none", res.LayerBytes, reg.uploaded.Load()-before)
	}
}

// A refused upload (403) is reported at once, for a streamed large file as
// for a small one, and not retried.
func TestRefusedUploadIsNotRetried(t *testing.T) {
	for name, size := range map[string]int{"streamed": 4 << 20, "small": 10} {
		t.Run(name, func(t *testing.T) {
			reg := newTestRegistry(t)
			var posts atomic.Int64
			reg.setFault(func(w http.ResponseWriter, r *http.Request) bool {
				if r.Method != http.MethodPost {
					return false
				}
				posts.Add(1)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusForbidden)
				io.WriteString(w, `{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}`)
				return true
			})
			src := t.TempDir()
			writeTree(t, src, map[string][]byte{"w.bin": bytes.Repeat([]byte("w"), size)})
			_, err := Push(context.Background(), src, reg.ref(t, "ml/d:v1"), PushOptions{Options: testOptions(), Kind: KindDataset})
			if err == nil || !strings.Contains(err.Error(), "requested access to the resource is denied") || !strings.Contains(err.Error(), "w.bin") {
				t.Fatalf("push: %v, want the registry's refusal naming the file", err)
			}
			if posts.Load() != 1 {
				t.Errorf("%d upload attempts, want 1", posts.Load())
			}
		})
	}
}
