package runner

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMalformedOutputLineFailsTheStep(t *testing.T) {
	h := newHarness(t, script("a", `echo "ref=ok" >> "$MLC_OUTPUT"; echo "no equals sign" >> "$MLC_OUTPUT"`))
	rec, err := h.run(context.Background(), h.options())
	if err == nil {
		t.Fatal("want the run to fail")
	}
	if jr := job(t, rec, "a"); !strings.Contains(jr.Reason, "line 2") || !strings.Contains(jr.Reason, "NAME=value") {
		t.Errorf("reason %q does not point at line 2 and the format", jr.Reason)
	}
}

// A multi-line output, as mlc's checks write it (NAME<<DELIMITER), is
// read like a single-line one: one protocol for every writer and reader.
func TestMultiLineOutputIsRead(t *testing.T) {
	a := script("a", `printf 'ref<<EOF\nline one\nline two\nEOF\n' >> "$MLC_OUTPUT"`)
	a.Outputs = append(a.Outputs, outputFrom("run", "ref"))
	h := newHarness(t, a)
	if _, err := h.run(context.Background(), h.options()); err != nil {
		t.Fatal(err)
	}
}

func TestMissingDeclaredOutputFailsTheJob(t *testing.T) {
	a := script("a", "true")
	a.Outputs = append(a.Outputs, outputFrom("run", "ref"))
	h := newHarness(t, a)
	rec, _ := h.run(context.Background(), h.options())
	if jr := job(t, rec, "a"); jr.Status != StatusFailed || !strings.Contains(jr.Reason, `no "ref"`) {
		t.Errorf("a: %s %q", jr.Status, jr.Reason)
	}
}

func TestHeadlineIsTheFirstLineWithWords(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	body := "== header before the step\n---------\n\n  Ran   6 tests  \nOK\n"
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := headline(path, int64(len("== header before the step\n"))); got != "Ran 6 tests" {
		t.Errorf("headline %q", got)
	}
	long := strings.Repeat("word ", 40)
	if err := os.WriteFile(path, []byte(long), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := []rune(headline(path, 0)); len(got) != 110 || got[109] != '…' {
		t.Errorf("long headline not shortened to 110 runes: %q", string(got))
	}
}

func TestPythonIsPython3OnHostsWithoutPython(t *testing.T) {
	bin := t.TempDir()
	python3 := filepath.Join(bin, "python3")
	if err := os.WriteFile(python3, []byte("#!/bin/sh\necho \"python3 $*\" > \"$MLC_SPEC_DIR/said\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, script("a", "python prep.py"))
	h.host["PATH"] = bin + ":/bin:/usr/bin" // no python here, or in /bin, /usr/bin
	if lookPath("/bin:/usr/bin", "python") != "" {
		t.Skip("this host has python in /bin or /usr/bin")
	}
	if _, err := h.run(context.Background(), h.options()); err != nil {
		t.Fatal(err)
	}
	if got := h.read("said"); got != "python3 prep.py" {
		t.Errorf("python ran as %q", got)
	}
}
