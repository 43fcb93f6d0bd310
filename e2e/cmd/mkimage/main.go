// Command mkimage builds a single-platform image from root filesystem
// tarballs and single files, without a container engine, and writes it as
// a tarball for `ctr images import` or pushes it to a registry.
//
//	mkimage -tag docker.io/library/python:3.12-slim -rootfs rootfs.tar -o python.tar
//	mkimage -tag registry.k8s.io/pause:3.10 -add bin/pause=/pause -entrypoint /pause -o pause.tar
//	mkimage -tag 10.250.0.2:5000/mlc/git:e2e -rootfs git.tar -push   (plain HTTP)
//
// Layers are in flag order, rootfs tarballs first. The manifest digest is
// printed on stdout.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
)

type list []string

func (l *list) String() string     { return strings.Join(*l, ",") }
func (l *list) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	var rootfs, adds, entrypoint, cmd, env list
	tag := flag.String("tag", "", "image reference to tag the image with (required)")
	out := flag.String("o", "", "write a docker-save tarball here")
	push := flag.Bool("push", false, "push to the registry named by -tag over plain HTTP")
	workdir := flag.String("workdir", "", "working directory")
	flag.Var(&rootfs, "rootfs", "root filesystem tarball to add as a layer (repeatable)")
	flag.Var(&adds, "add", "SRC=DST: add the file SRC at path DST, keeping its mode (repeatable)")
	flag.Var(&entrypoint, "entrypoint", "entrypoint argument (repeatable, in order)")
	flag.Var(&cmd, "cmd", "cmd argument (repeatable, in order)")
	flag.Var(&env, "env", "K=V environment variable (repeatable)")
	flag.Parse()
	if *tag == "" || (*out == "" && !*push) || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "mkimage: need -tag and -o or -push (see the comment in e2e/cmd/mkimage)")
		os.Exit(2)
	}
	img, err := build(rootfs, adds, v1.Config{Entrypoint: entrypoint, Cmd: cmd, Env: withPath(env), WorkingDir: *workdir})
	if err == nil {
		err = write(img, *tag, *out, *push)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkimage:", err)
		os.Exit(1)
	}
}

// withPath adds a default PATH, as image builders do, unless one is given.
func withPath(env []string) []string {
	for _, e := range env {
		if strings.HasPrefix(e, "PATH=") {
			return env
		}
	}
	return append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}, env...)
}

func build(rootfs, adds []string, cfg v1.Config) (v1.Image, error) {
	var layers []v1.Layer
	for _, path := range rootfs {
		l, err := tarball.LayerFromFile(path)
		if err != nil {
			return nil, fmt.Errorf("rootfs %s: %w", path, err)
		}
		layers = append(layers, l)
	}
	if len(adds) > 0 {
		l, err := filesLayer(adds)
		if err != nil {
			return nil, err
		}
		layers = append(layers, l)
	}
	img, err := mutate.AppendLayers(empty.Image, layers...)
	if err != nil {
		return nil, err
	}
	cf, err := img.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture, cf.Config = "linux", runtime.GOARCH, cfg
	return mutate.ConfigFile(img, cf)
}

func write(img v1.Image, tag, out string, push bool) error {
	ref, err := name.NewTag(tag, name.Insecure)
	if err != nil {
		return fmt.Errorf("tag %q: %w", tag, err)
	}
	if out != "" {
		if err := tarball.WriteToFile(out, ref, img); err != nil {
			return err
		}
	}
	if push {
		if err := remote.Write(ref, img); err != nil {
			return fmt.Errorf("push %s: %w", ref, err)
		}
	}
	d, err := img.Digest()
	if err != nil {
		return err
	}
	fmt.Println(d)
	return nil
}
