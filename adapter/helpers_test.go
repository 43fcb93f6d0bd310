package adapter

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// readTree returns every file under dir as slash path → content, failing
// the test on leftover temporary files.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if strings.HasPrefix(d.Name(), ".mlc-tmp-") {
			t.Errorf("temporary file left behind: %s", p)
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func assertTree(t *testing.T, dir string, want map[string]string) {
	t.Helper()
	if got := readTree(t, dir); !reflect.DeepEqual(got, want) {
		t.Errorf("files in %s:\n got  %v\n want %v", dir, got, want)
	}
}

// mustFetch builds the fetcher for src and runs it into a new directory.
func mustFetch(t *testing.T, src Source, opts Options) (string, *Manifest) {
	t.Helper()
	f, err := New(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	m, err := f.Fetch(context.Background(), dst)
	if err != nil {
		t.Fatal(err)
	}
	return dst, m
}

// fetchErr runs src into a new directory and returns the error, checking
// that a failed fetch left no file behind.
func fetchErr(t *testing.T, src Source, opts Options) error {
	t.Helper()
	f, err := New(src, opts)
	if err != nil {
		t.Fatal(err)
	}
	dst := t.TempDir()
	_, err = f.Fetch(context.Background(), dst)
	if err == nil {
		t.Fatal("fetch succeeded, want an error")
	}
	return err
}

func assertErrContains(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
}

// sourceOf is the Source the compiler decodes for the adapter kind with
// fields (one of the adapters' source types).
func sourceOf(kind string, fields any) Source {
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return Source{kind: m}
}
