package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const fetchSpec = `package pipeline

name: "fetch-test"

datasets: {
	iris: source: local: path: "data"
	census: source: http: {url: "https://example.invalid/adult.csv", sha256: "219f62b9d1594f478af0e89f85dcc2145d660f98feb79d72439a56d13a3d8417"}
	gone: source: local: path: "missing"
}

monitor: {schedule: "0 * * * *", drift: {reference: "iris", current: local: path: "data/rows.csv"}}
`

// fetchSpecDir writes a spec with a local dataset and returns its directory.
func fetchSpecDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	os.Mkdir(filepath.Join(dir, "data"), 0o755)
	for name, content := range map[string]string{"pipeline.cue": fetchSpec, "data/rows.csv": "a\n1\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runFetch runs mlc fetch and returns its exit code, mapped as run does.
func runFetch(t *testing.T, args ...string) int {
	t.Helper()
	code, msg := runCommand(t, newFetchCmd(), args...)
	if msg != "" {
		t.Log(msg)
	}
	return code
}

func TestFetchCommandWritesFilesManifestAndOutput(t *testing.T) {
	spec := fetchSpecDir(t)
	out := filepath.Join(t.TempDir(), "raw", "iris")
	outputs := filepath.Join(t.TempDir(), "outputs")
	t.Setenv("MLC_OUTPUT", outputs)
	if code := runFetch(t, "iris", "--spec", spec, "--out", out); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "rows.csv")); string(b) != "a\n1\n" {
		t.Errorf("rows.csv = %q", b)
	}
	if _, err := os.Stat(filepath.Join(out, ".mlc-fetch.json")); err != nil {
		t.Error(err)
	}
	if b, _ := os.ReadFile(outputs); string(b) != "path="+out+"\n" {
		t.Errorf("outputs %q", b)
	}
}

func TestFetchCommandMonitorSource(t *testing.T) {
	spec := fetchSpecDir(t)
	out := filepath.Join(t.TempDir(), "current")
	t.Setenv("MLC_OUTPUT", filepath.Join(t.TempDir(), "outputs"))
	if code := runFetch(t, "monitor.drift.current", "--spec", spec, "--out", out); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "rows.csv")); string(b) != "a\n1\n" {
		t.Errorf("rows.csv = %q", b)
	}
	// The spec's monitor checks drift only: no labelled data to fetch.
	code, msg := runCommand(t, newFetchCmd(), "monitor.quality.data", "--spec", spec, "--out", filepath.Join(t.TempDir(), "labelled"))
	if code != exitBadInput || !strings.Contains(msg, "the spec has no monitor.quality.data") {
		t.Errorf("monitor.quality.data without monitor.quality: exit %d %q", code, msg)
	}
}

func TestFetchCommandOfflineFixtures(t *testing.T) {
	spec := fetchSpecDir(t)
	out := filepath.Join(t.TempDir(), "census")
	t.Setenv("MLC_OUTPUT", filepath.Join(t.TempDir(), "outputs"))
	fixtures, _ := filepath.Abs("../../testdata/adapter/fixtures")
	if code := runFetch(t, "census", "--spec", spec, "--out", out, "--offline", "--fixtures", fixtures); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if b, _ := os.ReadFile(filepath.Join(out, "adult.csv")); !strings.HasPrefix(string(b), "age,") {
		t.Errorf("adult.csv = %q", b)
	}

	// A local run sets the same through the environment.
	t.Setenv("MLC_OFFLINE", "true")
	t.Setenv("MLC_FIXTURES", fixtures)
	if code := runFetch(t, "census", "--spec", spec, "--out", out); code != exitOK {
		t.Fatalf("exit %d with MLC_OFFLINE and MLC_FIXTURES", code)
	}
}

func TestFetchCommandExitCodes(t *testing.T) {
	spec := fetchSpecDir(t)
	t.Setenv("MLC_OUTPUT", filepath.Join(t.TempDir(), "outputs"))
	foreign := t.TempDir()
	os.WriteFile(filepath.Join(foreign, "notes.txt"), []byte("mine"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"unknown dataset", []string{"nope", "--spec", spec, "--out", filepath.Join(t.TempDir(), "o")}, exitBadInput},
		{"no spec", []string{"iris", "--spec", t.TempDir(), "--out", filepath.Join(t.TempDir(), "o")}, exitBadInput},
		{"no --out", []string{"iris", "--spec", spec}, exitBadInput},
		{"foreign out", []string{"iris", "--spec", spec, "--out", foreign}, exitBadInput},
		{"offline without fixtures", []string{"census", "--spec", spec, "--out", filepath.Join(t.TempDir(), "o"), "--offline"}, exitBadInput},
		{"missing local path", []string{"gone", "--spec", spec, "--out", filepath.Join(t.TempDir(), "o")}, exitFailed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code := runFetch(t, tc.args...); code != tc.want {
				t.Errorf("exit %d, want %d", code, tc.want)
			}
		})
	}
	if b, _ := os.ReadFile(filepath.Join(foreign, "notes.txt")); string(b) != "mine" {
		t.Error("a refused --out was modified")
	}
}
