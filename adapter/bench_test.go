package adapter

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

const (
	benchFiles    = 16
	benchFileSize = 4 << 20
)

// BenchmarkFetchLocal measures the sink (hashing, temp file, fsync,
// rename) through the local adapter: 16 files of 4 MiB per op.
func BenchmarkFetchLocal(b *testing.B) {
	spec := b.TempDir()
	data := bytes.Repeat([]byte("0123456789abcdef"), benchFileSize/16)
	for i := range benchFiles {
		if err := os.WriteFile(filepath.Join(spec, fmt.Sprintf("part-%02d.csv", i)), data, 0o644); err != nil {
			b.Fatal(err)
		}
	}
	f, err := New(sourceOf("local", LocalSource{Path: "."}), Options{SpecDir: spec})
	if err != nil {
		b.Fatal(err)
	}
	benchFetch(b, f)
}

// BenchmarkFetchS3 downloads 16 objects of 4 MiB per op from the in-process
// S3 server, 8 at a time.
func BenchmarkFetchS3(b *testing.B) {
	objects := map[string]string{}
	data := string(bytes.Repeat([]byte("0123456789abcdef"), benchFileSize/16))
	for i := range benchFiles {
		objects[fmt.Sprintf("bench/part-%02d.csv", i)] = data
	}
	srv := newS3Server(b, false, objects)
	f, err := New(sourceOf("s3", S3Source{Bucket: "raw", Prefix: "bench/", Endpoint: srv.URL}), Options{})
	if err != nil {
		b.Fatal(err)
	}
	benchFetch(b, f)
}

func benchFetch(b *testing.B, f Fetcher) {
	b.SetBytes(benchFiles * benchFileSize)
	b.ReportAllocs()
	for b.Loop() {
		dst := b.TempDir()
		if _, err := f.Fetch(context.Background(), dst); err != nil {
			b.Fatal(err)
		}
	}
}
