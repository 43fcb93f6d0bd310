package ir

import (
	"strings"
	"testing"
)

// Verify runs the engine's check, reporting every problem, unless the
// compiler already ran that engine's check on the pipeline.
func TestVerifyChecksOnce(t *testing.T) {
	calls := 0
	e := Engine{Name: "e", Check: func(*Pipeline) []Problem {
		calls++
		return []Problem{{Msg: "e: one"}, {Msg: "e: two"}}
	}}
	err := e.Verify(&Pipeline{Checked: []string{"other"}})
	if err == nil || !strings.Contains(err.Error(), "e: one\ne: two") || calls != 1 {
		t.Errorf("unchecked pipeline: err %v after %d calls", err, calls)
	}
	if err := e.Verify(&Pipeline{Checked: []string{"e"}}); err != nil || calls != 1 {
		t.Errorf("pipeline the compiler checked for e: err %v, %d calls", err, calls)
	}
}
