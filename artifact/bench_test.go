package artifact

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchModel writes one file of size bytes.
func benchModel(b *testing.B, size int64) string {
	b.Helper()
	dir := b.TempDir()
	f, err := os.Create(filepath.Join(dir, "model.safetensors"))
	if err != nil {
		b.Fatal(err)
	}
	chunk := make([]byte, 1<<20)
	for i := range chunk {
		chunk[i] = byte(i * 7)
	}
	for written := int64(0); written < size; written += int64(len(chunk)) {
		chunk[0]++ // distinct chunks
		if _, err := f.Write(chunk); err != nil {
			b.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return dir
}

// benchDataset writes n small CSV files in shards of 1,000.
func benchDataset(b *testing.B, n int) string {
	b.Helper()
	dir := b.TempDir()
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("shard-%02d", i/1000), fmt.Sprintf("rows-%05d.csv", i))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(fmt.Sprintf("id,x\n%d,%d\n", i, i*31)), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// benchPushPull pushes src to a fresh repository of the in-process
// registry each iteration (cold: no cache, no blobs), then pulls it.
func benchPushPull(b *testing.B, src string, kind Kind, bytes int64) {
	ctx := context.Background()
	reg := newTestRegistry(b)
	b.SetBytes(bytes)
	b.ResetTimer()
	for i := range b.N {
		ref := reg.ref(b, fmt.Sprintf("bench/r%d:v1", i))
		res, err := Push(ctx, src, ref, PushOptions{Options: testOptions(), Kind: kind})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Pull(ctx, res.Ref, filepath.Join(b.TempDir(), "out"), PullOptions{Options: testOptions()}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPushPullModel256MiB(b *testing.B) {
	benchPushPull(b, benchModel(b, 256<<20), KindModel, 256<<20)
}

func BenchmarkPushPullDataset10kFiles(b *testing.B) {
	benchPushPull(b, benchDataset(b, 10000), KindDataset, 0)
}

// BenchmarkRePushModel256MiB is the unchanged re-push: cached digests and
// HEAD checks only.
func BenchmarkRePushModel256MiB(b *testing.B) {
	ctx := context.Background()
	src := benchModel(b, 256<<20)
	reg := newTestRegistry(b)
	opts := PushOptions{Options: testOptions(), Kind: KindModel, CacheDir: b.TempDir()}
	ref := reg.ref(b, "bench/m:v1")
	if _, err := Push(ctx, src, ref, opts); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for range b.N {
		res, err := Push(ctx, src, ref, opts)
		if err != nil {
			b.Fatal(err)
		}
		if res.LayerBytes != 0 {
			b.Fatalf("re-push sent %d bytes", res.LayerBytes)
		}
	}
}
