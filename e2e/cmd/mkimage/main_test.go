package main

import (
	"archive/tar"
	"io"
	"os"
	"path/filepath"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

// An image from a rootfs tarball and one added file: layers in order, the
// file under its parents with its mode, the config as given, and the same
// digest when built twice (times and owners do not leak in).
func TestBuild(t *testing.T) {
	dir := t.TempDir()
	rootfs := filepath.Join(dir, "rootfs.tar")
	writeTar(t, rootfs, map[string]string{"etc/os-release": "ID=debian\n"})
	bin := filepath.Join(dir, "pause")
	if err := os.WriteFile(bin, []byte("#!/bin/true\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := v1.Config{Entrypoint: []string{"/usr/local/bin/pause"}, Env: withPath(nil)}
	img, err := build([]string{rootfs}, []string{bin + "=/usr/local/bin/pause"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	layers, err := img.Layers()
	if err != nil || len(layers) != 2 {
		t.Fatalf("layers %d, %v; want 2", len(layers), err)
	}
	if got := entries(t, layers[0]); got["etc/os-release"] != 0o644 {
		t.Errorf("rootfs layer %v, want etc/os-release", got)
	}
	want := map[string]int64{"usr/": 0o755, "usr/local/": 0o755, "usr/local/bin/": 0o755, "usr/local/bin/pause": 0o755}
	got := entries(t, layers[1])
	if len(got) != len(want) {
		t.Errorf("file layer %v, want %v", got, want)
	}
	for name, mode := range want {
		if got[name] != mode {
			t.Errorf("file layer %s: mode %o, want %o", name, got[name], mode)
		}
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.OS != "linux" || cf.Config.Entrypoint[0] != "/usr/local/bin/pause" || cf.Config.Env[0][:5] != "PATH=" {
		t.Errorf("config %+v", cf)
	}
	again, err := build([]string{rootfs}, []string{bin + "=/usr/local/bin/pause"}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	d1, _ := img.Digest()
	d2, _ := again.Digest()
	if d1 != d2 {
		t.Errorf("digests %s and %s for the same inputs", d1, d2)
	}
	out := filepath.Join(dir, "img.tar")
	if err := write(img, "registry.k8s.io/pause:3.10", out, false); err != nil {
		t.Fatal(err)
	}
	if _, err := tarball.ImageFromPath(out, nil); err != nil {
		t.Errorf("written tarball does not load: %v", err)
	}
}

func TestBuildRejects(t *testing.T) {
	if _, err := build(nil, []string{"no-equals-sign"}, v1.Config{}); err == nil {
		t.Error("an -add without =DST was accepted")
	}
	if _, err := build(nil, []string{os.Args[0] + "=relative/path"}, v1.Config{}); err == nil {
		t.Error("a relative DST was accepted")
	}
	if _, err := build(nil, []string{t.TempDir() + "=/dir"}, v1.Config{}); err == nil {
		t.Error("a directory SRC was accepted")
	}
}

func writeTar(t *testing.T, path string, files map[string]string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tw := tar.NewWriter(f)
	for name, body := range files {
		if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(tw, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
}

// entries maps each path in a layer to its mode.
func entries(t *testing.T, l v1.Layer) map[string]int64 {
	t.Helper()
	rc, err := l.Uncompressed()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	out := map[string]int64{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Uid != 0 || h.Gid != 0 || !h.ModTime.IsZero() && h.ModTime.Unix() != 0 {
			t.Errorf("%s: owner %d:%d, time %v; want root and no time", h.Name, h.Uid, h.Gid, h.ModTime)
		}
		out[h.Name] = h.Mode
	}
}
