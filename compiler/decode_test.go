package compiler

import (
	"bytes"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/mlc-project/mlc/bench/scalespec"
)

// TestFastDecodeMatchesCUE: every example, under each build tag it has,
// and the benchmarks' scale spec decode to the same Spec with fastDecode as
// with cue's own decoder.
func TestFastDecodeMatchesCUE(t *testing.T) {
	dirs, _ := filepath.Glob("../examples/*")
	if len(dirs) < 3 {
		t.Fatalf("only %d examples found", len(dirs))
	}
	var scale bytes.Buffer
	if err := scalespec.Write(&scale, 3); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, writeSpec(t, map[string]string{"pipeline.cue": scale.String()}))
	tagSets := [][]string{nil, {"local"}, {"gitops"}, {"e2e"}, {"e2e_github", "e2e_registry=127.0.0.1:5000/e2e", "e2e_release=http://127.0.0.1:1/r"}}
	decoded := 0
	for _, dir := range dirs {
		for _, tags := range tagSets {
			s, err := LoadWith(dir, Options{Tags: tags})
			if err != nil {
				continue // a tag this example does not take
			}
			decoded++
			fast, slow := Spec{}, Spec{}
			if !fastDecode(s.src.value, &fast) {
				t.Errorf("%s %v: fastDecode refused a valid spec", dir, tags)
				continue
			}
			if err := s.src.value.Decode(&slow); err != nil {
				t.Fatalf("%s %v: %v", dir, tags, err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("%s %v: fastDecode and cue's Decode differ:\nfast %+v\ncue  %+v", dir, tags, fast, slow)
			}
		}
	}
	if decoded < 8 {
		t.Errorf("only %d spec variants loaded", decoded)
	}
}
