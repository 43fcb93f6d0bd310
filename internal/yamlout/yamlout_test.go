package yamlout

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestEncodeKeepsOrderAndRoundTrips(t *testing.T) {
	m := NewMap().Set("zeta", "1").Set("alpha", true).Set("skip", nil).Set("empty", []string{}).
		Set("list", []string{"on", "yes", "a: b"}).Set("script", "echo 'hi'\nexit 0\n").Set("n", 3)
	out, err := Encode("# header\n", m)
	if err != nil {
		t.Fatal(err)
	}
	want := "# header\nzeta: \"1\"\nalpha: true\nlist:\n  - \"on\"\n  - \"yes\"\n  - \"a: b\"\nscript: |\n  echo 'hi'\n  exit 0\n\"n\": 3\n"
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	var back map[string]any
	if err := yaml.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back["zeta"] != "1" || back["list"].([]any)[0] != "on" || back["script"] != "echo 'hi'\nexit 0\n" {
		t.Fatalf("round trip lost values: %v", back)
	}
}

// A document written piece by piece is the one Encode writes whole.
func TestWriterWritesWhatEncodeWrites(t *testing.T) {
	job := func(i int) *Map {
		return NewMap().Set("name", "job "+string(rune('a'+i))).Set("needs", Flow(Node([]string{"x", "y"}))).
			Set("steps", []*Map{NewMap().Set("run", "echo one\necho two\n"), NewMap().Set("run", "echo one\necho two\n")})
	}
	head := func() *Map { return NewMap().Set("name", "w").Set("on", NewMap().Set("push", NewMap())) }
	jobs := NewMap()
	for i := range 3 {
		jobs.Set(string(rune('a'+i)), job(i))
	}
	want, err := Encode("# h\n", head().Set("jobs", jobs), NewMap().Set("second", "doc"))
	if err != nil {
		t.Fatal(err)
	}
	w := NewWriter("# h\n")
	if err := w.Document(head()); err != nil {
		t.Fatal(err)
	}
	w.Key(0, "jobs")
	for i := range 3 {
		if err := w.Entry(2, string(rune('a'+i)), job(i)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Document(NewMap().Set("second", "doc")); err != nil {
		t.Fatal(err)
	}
	if string(w.Bytes()) != string(want) {
		t.Fatalf("got\n%s\nwant\n%s", w.Bytes(), want)
	}
}

// A closed stream is the caller's: the next writer reuses the buffer, not
// the bytes handed out.
func TestWriterCloseHandsOutACopy(t *testing.T) {
	w := NewWriter("# one\n")
	if err := w.Value(map[string]string{"a": "1"}); err != nil {
		t.Fatal(err)
	}
	first := w.Close()
	for range 3 {
		w := NewWriter("# two\n")
		if err := w.Document(NewMap().Set("b", "overwritten")); err != nil {
			t.Fatal(err)
		}
		w.Close()
	}
	if string(first) != "# one\na: \"1\"\n" {
		t.Fatalf("first stream changed to %q", first)
	}
}
