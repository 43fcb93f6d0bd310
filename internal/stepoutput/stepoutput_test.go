package stepoutput

import (
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRoundTrip(t *testing.T) {
	pairs := []Pair{{"ref", "r@sha256:1"}, {"digest", "sha256:1"}, {"summary", "two\nlines MLC_EOF"}, {"ref", "r@sha256:2"}, {"empty", ""}}
	text, err := Format(pairs...)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Parse(strings.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"ref": "r@sha256:2", "digest": "sha256:1", "summary": "two\nlines MLC_EOF", "empty": ""}
	if !maps.Equal(got, want) {
		t.Fatalf("Parse(Format(...)) = %v, want %v\n%s", got, want, text)
	}
}

func TestRefusals(t *testing.T) {
	if _, err := Format(Pair{"a=b", "x"}); err == nil {
		t.Error("Format accepted a key with =")
	}
	for _, in := range []string{"novalue\n", "=x\n", "k<<EOF\nnever closed\n", "bad key=1\n"} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q) accepted it", in)
		}
	}
	// A value may hold "=" and "<<": only the first "=" splits.
	got, err := Parse(strings.NewReader("ref=a=b<<c\n"))
	if err != nil || got["ref"] != "a=b<<c" {
		t.Errorf("Parse = %v, %v", got, err)
	}
}

func TestAppendPicksTheFile(t *testing.T) {
	dir := t.TempDir()
	mlc, gh := filepath.Join(dir, "mlc"), filepath.Join(dir, "gh")
	env := map[string]string{"MLC_OUTPUT": mlc, "GITHUB_OUTPUT": gh}
	if err := Append(func(k string) string { return env[k] }, Pair{"a", "1"}); err != nil {
		t.Fatal(err)
	}
	delete(env, "MLC_OUTPUT")
	if err := Append(func(k string) string { return env[k] }, Pair{"b", "2"}); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{mlc: "a=1\n", gh: "b=2\n"} {
		if data, _ := os.ReadFile(path); string(data) != want {
			t.Errorf("%s = %q, want %q", path, data, want)
		}
	}
	if err := Append(func(string) string { return "" }, Pair{"c", "3"}); err != nil {
		t.Errorf("outside a pipeline: %v", err)
	}
}
