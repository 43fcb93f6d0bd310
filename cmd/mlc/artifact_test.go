package main

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"
)

func TestPushPullPromoteCommands(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "data")
	if err := os.MkdirAll(src, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(src, "rows.csv"), []byte("a\n1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "outputs")
	t.Setenv("MLC_OUTPUT", out)
	t.Setenv("MLC_CACHE_DIR", filepath.Join(dir, "cache"))
	store := "oci:" + filepath.Join(dir, "store")

	if code := run([]string{"push", "dataset", src, store + ":d:v1"}); code != exitOK {
		t.Fatalf("push exit %d", code)
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`^ref=(oci:.*@(sha256:[0-9a-f]{64}))\ndigest=(sha256:[0-9a-f]{64})\n$`).FindStringSubmatch(string(b))
	if m == nil || m[2] != m[3] {
		t.Fatalf("outputs %q, want ref=<store>@<digest> and digest=<digest>", b)
	}
	byDigest := m[1]
	if code := run([]string{"promote", byDigest, "--to", "prod"}); code != exitOK {
		t.Fatalf("promote exit %d", code)
	}
	if code := run([]string{"pull", store + ":prod", filepath.Join(dir, "out")}); code != exitOK {
		t.Fatalf("pull exit %d", code)
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "rows.csv")); err != nil {
		t.Error(err)
	}

	for name, args := range map[string][]string{
		"unknown kind": {"push", "weights", src, store + ":d:v2"},
		"missing dir":  {"push", "dataset", filepath.Join(dir, "nope"), store + ":d:v2"},
		"bad ref":      {"pull", "oci:", filepath.Join(dir, "x")},
		"missing tag":  {"pull", store + ":none", filepath.Join(dir, "x")},
	} {
		if code := run(args); code != exitBadInput {
			t.Errorf("%s: exit %d, want %d", name, code, exitBadInput)
		}
	}
}
