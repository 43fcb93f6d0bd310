package yamlout

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// decodeAll reads every document of a YAML stream as generic values.
func decodeAll(t testing.TB, data []byte) []any {
	t.Helper()
	dec := yaml.NewDecoder(bytesReader(data))
	var docs []any
	for {
		var v any
		err := dec.Decode(&v)
		if err != nil {
			if err.Error() == "EOF" {
				return docs
			}
			t.Fatalf("yaml.v3 cannot read the emitted YAML: %v\n%s", err, data)
		}
		docs = append(docs, v)
	}
}

// TestEmitterMatchesYAMLv3 re-emits every golden file with this emitter and
// checks yaml.v3 reads back exactly what it reads from the golden file.
func TestEmitterMatchesYAMLv3(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "golden", "*", "*", "*.y*ml"))
	if len(files) == 0 {
		t.Fatal("no golden files found")
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		want := decodeAll(t, data)
		dec := yaml.NewDecoder(bytesReader(data))
		var out []byte
		for {
			var n yaml.Node
			if err := dec.Decode(&n); err != nil {
				break
			}
			stripStyles(&n)
			b, err := EncodeValue(&n)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, "---\n"...)
			out = append(out, b...)
		}
		if got := decodeAll(t, out); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: re-emitted YAML reads back differently", f)
		}
	}
}

// stripStyles forgets the source's quoting, so the emitter chooses its own.
func stripStyles(n *yaml.Node) {
	n.Style = 0
	n.HeadComment, n.LineComment, n.FootComment = "", "", ""
	for _, c := range n.Content {
		stripStyles(c)
	}
}

func FuzzScalarRoundTrip(f *testing.F) {
	for _, s := range []string{"", "on", "yes", "0x1F", "1e3", "a: b", "- x", "#c", "x #c", "tab\there", "multi\nline\n", "\n\nlead", "trail  \nx", "ends:", "${{ x }}", "é\u00a0", "\x00\x7f", "|", "'q'", "\"q\"", "a\r\nb", "k\n\n\n", "-ec", "-", "- x", "-\tx", "---", "--- x", "+.inf", "-.Inf", "+.nan", "-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8Valid(s) {
			return // strings in generated files are valid UTF-8
		}
		for _, doc := range []*Map{NewMap().Set("k", s), NewMap().Set("list", []string{s, "x"}), NewMap().Set("flow", Flow(Node([]string{s})))} {
			out, err := Encode("", doc)
			if err != nil {
				t.Fatal(err)
			}
			var back map[string]any
			if err := yaml.Unmarshal(out, &back); err != nil {
				t.Fatalf("%q: emitted YAML does not parse: %v\n%s", s, err, out)
			}
			var got any
			for _, v := range back {
				got = v
			}
			if l, ok := got.([]any); ok {
				got = l[0]
			}
			if got != s {
				t.Fatalf("%q read back as %q from\n%s", s, got, out)
			}
		}
	})
}

func bytesReader(b []byte) *bytes.Reader { return bytes.NewReader(b) }

func utf8Valid(s string) bool { return utf8.ValidString(s) }
