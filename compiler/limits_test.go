package compiler

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestEvaluationIsBounded compiles crafted specs that would run for
// minutes or take tens of gigabytes, in a child process (an evaluation
// cannot be stopped, only abandoned), and expects the limit's error.
func TestEvaluationIsBounded(t *testing.T) {
	for _, tc := range []struct{ spec, env, want string }{
		{"slow", "MLC_EVAL_TIMEOUT=2s", "took longer than 2s"},
		{"huge", "MLC_EVAL_MEMORY=256MiB", "used more than 256 MiB of memory"},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestBoundedChild$")
			cmd.Env = append(os.Environ(), "MLC_BOUNDED_CHILD=../testdata/security/eval/"+tc.spec, tc.env)
			start := time.Now()
			out, _ := cmd.CombinedOutput()
			if !strings.Contains(string(out), tc.want) || !strings.Contains(string(out), strings.SplitN(tc.env, "=", 2)[0]) {
				t.Fatalf("after %s: want %q and how to raise it, got:\n%s", time.Since(start), tc.want, out)
			}
		})
	}
}

func TestBoundedChild(t *testing.T) {
	dir := os.Getenv("MLC_BOUNDED_CHILD")
	if dir == "" {
		t.Skip("run by TestEvaluationIsBounded")
	}
	_, err := Compile(dir)
	fmt.Println(err)
	os.Exit(0) // abandon the evaluation
}
