package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/opencontainers/image-spec/specs-go/v1"
)

// TestPushVersion: a push stamped with the build's version and channel
// carries them as annotations; a release is tagged with its version as
// well, and refused from a work tree with uncommitted changes.
func TestPushVersion(t *testing.T) {
	root, _, _ := exampleRepo(t)
	data := filepath.Join(root, "ml", "data")
	t.Setenv("MLC_OUTPUT", filepath.Join(t.TempDir(), "out"))
	t.Setenv("MLC_CACHE_DIR", "")
	storeDir := filepath.Join(t.TempDir(), "store")
	store := "oci:" + storeDir

	if code := run([]string{"push", "dataset", data, store + ":abc1234", "--version", "v1.2.0-3-gabc1234", "--channel", "beta"}); code != exitOK {
		t.Fatalf("beta push exit %d", code)
	}
	if tags := layoutTags(t, storeDir); !slices.Equal(tags, []string{"abc1234"}) {
		t.Errorf("beta push tags %v: a beta gets no version tag", tags)
	}
	if code := run([]string{"push", "dataset", data, store + ":def5678", "--version", "v1.2.0", "--channel", "release"}); code != exitOK {
		t.Fatalf("release push exit %d", code)
	}
	if tags := layoutTags(t, storeDir); !slices.Equal(tags, []string{"abc1234", "def5678", "v1.2.0"}) {
		t.Errorf("release push tags %v, want the commit's and v1.2.0", tags)
	}
	ann := manifestAnnotations(t, storeDir, "v1.2.0")
	if ann["org.opencontainers.image.version"] != "v1.2.0" || ann["dev.mlc.channel"] != "release" {
		t.Errorf("release annotations %v", ann)
	}

	readme := filepath.Join(root, "ml", "README.md")
	if err := os.WriteFile(readme, []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	release := []string{"push", "dataset", data, store + ":v1.3.0", "--version", "v1.3.0", "--channel", "release"}
	if code := run(release); code != exitBadInput {
		t.Errorf("release from a dirty tree: exit %d, want %d", code, exitBadInput)
	}
	if tags := layoutTags(t, storeDir); slices.Contains(tags, "v1.3.0") {
		t.Error("a refused release was pushed anyway")
	}
	if code := run(append(release, "--allow-dirty")); code != exitOK {
		t.Errorf("--allow-dirty release: exit %d", code)
	}
	for name, args := range map[string][]string{
		"unknown channel":        {"push", "dataset", data, store + ":x", "--channel", "gamma"},
		"release without a tag":  {"push", "dataset", data, store + ":x", "--channel", "release", "--allow-dirty"},
		"version that is no tag": {"push", "dataset", data, store + ":x", "--channel", "release", "--version", "v1/2", "--allow-dirty"},
	} {
		if code := run(args); code != exitBadInput {
			t.Errorf("%s: exit %d, want %d", name, code, exitBadInput)
		}
	}
}

// layoutIndex reads an OCI layout's index.json.
func layoutIndex(t *testing.T, dir string) v1.Index {
	t.Helper()
	var index v1.Index
	b, err := os.ReadFile(filepath.Join(dir, "index.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &index); err != nil {
		t.Fatal(err)
	}
	return index
}

// layoutTags are the tags of an OCI layout, sorted.
func layoutTags(t *testing.T, dir string) []string {
	t.Helper()
	var tags []string
	for _, m := range layoutIndex(t, dir).Manifests {
		if name := m.Annotations[v1.AnnotationRefName]; name != "" && !strings.Contains(name, "sha256-") {
			tags = append(tags, name)
		}
	}
	slices.Sort(tags)
	return tags
}

// manifestAnnotations reads the annotations of the manifest tag names.
func manifestAnnotations(t *testing.T, dir, tag string) map[string]string {
	t.Helper()
	for _, d := range layoutIndex(t, dir).Manifests {
		if d.Annotations[v1.AnnotationRefName] == tag {
			b, err := os.ReadFile(filepath.Join(dir, "blobs", "sha256", d.Digest.Encoded()))
			if err != nil {
				t.Fatal(err)
			}
			var m v1.Manifest
			if err := json.Unmarshal(b, &m); err != nil {
				t.Fatal(err)
			}
			return m.Annotations
		}
	}
	t.Fatalf("no tag %s", tag)
	return nil
}

// TestPackageVersion: an app image of a release carries the version in
// its config's labels and is tagged with it.
func TestPackageVersion(t *testing.T) {
	root, _, _ := exampleRepo(t)
	t.Setenv("MLC_OUTPUT", filepath.Join(t.TempDir(), "out"))
	t.Setenv("MLC_CACHE_DIR", "")
	storeDir := filepath.Join(t.TempDir(), "store")
	args := []string{"package", "api", "oci:" + storeDir + ":abc1234", "--base", "scratch", "--context", filepath.Join(root, "ml", "service"), "--version", "v2.0.0", "--channel", "release"}
	if code := run(args); code != exitOK {
		t.Fatalf("package exit %d", code)
	}
	if tags := layoutTags(t, storeDir); !slices.Equal(tags, []string{"abc1234", "v2.0.0"}) {
		t.Errorf("tags %v, want the commit's and v2.0.0", tags)
	}
	index := layoutIndex(t, storeDir)
	var m v1.Manifest
	b, _ := os.ReadFile(filepath.Join(storeDir, "blobs", "sha256", index.Manifests[0].Digest.Encoded()))
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var config v1.Image
	b, _ = os.ReadFile(filepath.Join(storeDir, "blobs", "sha256", m.Config.Digest.Encoded()))
	if err := json.Unmarshal(b, &config); err != nil {
		t.Fatal(err)
	}
	if l := config.Config.Labels; l["org.opencontainers.image.version"] != "v2.0.0" || l["dev.mlc.channel"] != "release" {
		t.Errorf("image labels %v", l)
	}
}
