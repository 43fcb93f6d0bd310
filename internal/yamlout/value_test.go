package yamlout

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

type valueInner struct {
	Name  string `yaml:"name"`
	Count int    `yaml:"count,omitempty"`
}

type valueSample struct {
	Plain      string `yaml:"plain"`
	Empty      string `yaml:"empty"`
	Omitted    string `yaml:"omitted,omitempty"`
	DefaultKey bool
	Number     int64              `yaml:"number"`
	Unsigned   uint8              `yaml:"unsigned,omitempty"`
	NilPtr     *valueInner        `yaml:"nilPtr"`
	NilSlice   []string           `yaml:"nilSlice"`
	NilMap     map[string]string  `yaml:"nilMap"`
	EmptyObj   *struct{}          `yaml:"emptyObj,omitempty"`
	ZeroStruct valueInner         `yaml:"zeroStruct,omitempty"`
	Inner      valueInner         `yaml:"inner"`
	Items      []valueInner       `yaml:"items"`
	Labels     map[string]string  `yaml:"labels,omitempty"`
	Any        any                `yaml:"any"`
	AnyNil     any                `yaml:"anyNil,omitempty"`
	Flow       []string           `yaml:"flow,flow"`
	Nested     map[string][]int   `yaml:"nested"`
	Node       *yaml.Node         `yaml:"node"`
	Skipped    string             `yaml:"-"`
	private    string             // unexported: never encoded
	Deep       map[string]*string `yaml:"deep"`
	Matrix     [][]valueInner     `yaml:"matrix"`
	Embedded   valueInner         `yaml:",inline"`
}

// sampleValue sets every field shape of valueSample.
func sampleValue() valueSample {
	s := "x"
	return valueSample{
		Plain: "on", DefaultKey: true, Number: -7, Unsigned: 3,
		EmptyObj: &struct{}{}, Inner: valueInner{Name: "a: b", Count: 2},
		Items:  []valueInner{{Name: "1"}, {Name: "multi\nline\n"}},
		Labels: map[string]string{"z": "1", "app.kubernetes.io/part-of": "p", "a": ""},
		Any:    []string{"x", "y"}, Flow: []string{"a", "b c"},
		Nested: map[string][]int{"k": {1, 2}}, Node: Str("node"),
		Skipped: "no", private: "no", Deep: map[string]*string{"set": &s, "unset": nil},
		Matrix:   [][]valueInner{{{Name: "a"}, {Name: "b", Count: 1}}, {{Name: "c"}}},
		Embedded: valueInner{Name: "inlined", Count: 4},
	}
}

// TestValueEmitterMatchesYAMLv3 encodes a struct with every supported field
// shape both ways and compares the trees yaml.v3 reads back, key order
// included.
func TestValueEmitterMatchesYAMLv3(t *testing.T) {
	v := sampleValue()
	got, err := EncodeValue(v)
	if err != nil {
		t.Fatal(err)
	}
	want, err := yaml.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var a, b yaml.Node
	if err := yaml.Unmarshal(got, &a); err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	if err := yaml.Unmarshal(want, &b); err != nil {
		t.Fatal(err)
	}
	if diff := compareNodes(&a, &b, ""); diff != "" {
		t.Errorf("%s\ngot:\n%s\nyaml.v3:\n%s", diff, got, want)
	}
	if !strings.Contains(string(got), "flow: [a, \"b c\"]\n") || !strings.Contains(string(got), "  - - name: a\n") {
		t.Errorf("flow field not on one line:\n%s", got)
	}
}

// compareNodes reports the first difference in kind, tag, value or
// children; styles and positions are ignored.
func compareNodes(a, b *yaml.Node, path string) string {
	if a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || a.Value != b.Value || len(a.Content) != len(b.Content) {
		return path + ": got " + a.ShortTag() + " " + a.Value + ", want " + b.ShortTag() + " " + b.Value
	}
	for i := range a.Content {
		if d := compareNodes(a.Content[i], b.Content[i], path+"/"+a.Content[i].Value); d != "" {
			return d
		}
	}
	return ""
}

type marshaler struct{}

func (marshaler) MarshalYAML() (any, error) { return "m", nil }

func TestValueEmitterRejectsWhatItCannotEncode(t *testing.T) {
	for name, v := range map[string]any{
		"float": struct{ F float64 }{1.5},
		"inline map": struct {
			M map[string]string `yaml:",inline"`
		}{},
		"marshaler": struct{ M marshaler }{},
		"int keys":  map[int]string{1: "a"},
	} {
		if _, err := EncodeValue(v); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
