// Package stepoutputtest checks the engines' shell collectors against the
// step-output protocol.
package stepoutputtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/internal/stepoutput"
)

// CheckCollector writes a step output file with stepoutput.Format (a key
// given twice, a value holding "=", a key that prefixes another), has
// collect copy each key's value from it into a file, and compares what it
// copied with stepoutput.Parse. collect gets (step file, key, out file)
// triples.
func CheckCollector(t *testing.T, collect func(t *testing.T, triples [][3]string)) {
	t.Helper()
	text, err := stepoutput.Format(stepoutput.Pair{Key: "ref", Value: "a=b@sha256:1"}, stepoutput.Pair{Key: "refx", Value: "no"},
		stepoutput.Pair{Key: "ref", Value: "r@sha256:2"}, stepoutput.Pair{Key: "drift", Value: "true"})
	if err != nil {
		t.Fatal(err)
	}
	want, err := stepoutput.Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	step := filepath.Join(dir, "step.env")
	if err := os.WriteFile(step, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	keys := []string{"ref", "refx", "drift"}
	var triples [][3]string
	for _, k := range keys {
		triples = append(triples, [3]string{step, k, filepath.Join(dir, "out-"+k)})
	}
	collect(t, triples)
	for _, tr := range triples {
		if got, _ := os.ReadFile(tr[2]); string(got) != want[tr[1]] {
			t.Errorf("%s: the collector read %q, the protocol %q", tr[1], got, want[tr[1]])
		}
	}
}
