package tekton

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/internal/stepoutput/stepoutputtest"
	"github.com/mlc-project/mlc/ir"
)

// The scripts mlc adds to tasks run here in a POSIX shell, with the tools
// they call (buildctl, kubectl, sleep) replaced by stubs on PATH.

func runScript(t *testing.T, script string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command("sh", append([]string{"-ec", script, "sh"}, args...)...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("script failed: %v\n%s", err, out)
	}
	return string(out)
}

// stubs writes executables into a fresh directory and returns a PATH that
// finds them first.
func stubs(t *testing.T, scripts map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("#!/bin/sh\n"+body), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return "PATH=" + dir + ":" + os.Getenv("PATH")
}

func TestOutputsScriptCopiesTheLastValueOfEachKey(t *testing.T) {
	dir := t.TempDir()
	push := filepath.Join(dir, "push")
	if err := os.WriteFile(push, []byte("digest=sha256:1\nref=a=b@sha256:1\nreference=no\nref=r@sha256:2\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ref, digest, drift := filepath.Join(dir, "ref"), filepath.Join(dir, "digest"), filepath.Join(dir, "drift")
	runScript(t, outputsScript, []string{"PATH=" + os.Getenv("PATH")},
		push, "ref", ref,
		push, "digest", digest,
		filepath.Join(dir, "never-written"), "drift", drift)
	for path, want := range map[string]string{ref: "r@sha256:2", digest: "sha256:1", drift: ""} {
		got, err := os.ReadFile(path)
		if err != nil || string(got) != want {
			t.Errorf("%s = %q (%v), want %q", filepath.Base(path), got, err, want)
		}
	}
}

func TestBuildScriptRecordsTheImageByDigest(t *testing.T) {
	for ref, want := range map[string]string{
		"${MLC_REGISTRY}/api:${MLC_REVISION}": "localhost:5000/team/api@sha256:feed",
		"localhost:5000/team/api":             "localhost:5000/team/api@sha256:feed",
	} {
		j := &ir.Job{Inputs: []ir.Input{{Name: "model", Env: "MLC_MODEL"}}}
		script, err := buildScript(j, &ir.ImageBuild{
			Context: "svc", Ref: ref,
			Args: []ir.EnvVar{{Name: "MODEL", FromInput: "model"}, {Name: "NOTE", Value: "it's a 'test'"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		log := filepath.Join(dir, "argv")
		// The stub records its arguments and writes BuildKit's metadata file.
		path := stubs(t, map[string]string{"buildctl-daemonless.sh": `printf '%s\n' "$@" > "$MLC_LOG"
while [ "$1" != --metadata-file ]; do shift; done
printf '{\n  "containerimage.digest": "sha256:feed",\n  "image.name": "x"\n}\n' > "$2"
`})
		out := filepath.Join(dir, "out")
		runScript(t, script, []string{path, "MLC_LOG=" + log, "MLC_OUTPUT=" + out,
			"MLC_REGISTRY=localhost:5000/team", "MLC_REVISION=abc", "MLC_MODEL=reg/m@sha256:1"})
		if got, _ := os.ReadFile(out); string(got) != "ref="+want+"\n" {
			t.Errorf("%s: output %q, want ref=%s", ref, got, want)
		}
		argv, _ := os.ReadFile(log)
		for _, arg := range []string{"build-arg:MODEL=reg/m@sha256:1", "build-arg:NOTE=it's a 'test'", "context=svc", "dockerfile=svc", "filename=Dockerfile"} {
			if !strings.Contains(string(argv), "\n"+arg+"\n") {
				t.Errorf("%s: builder argv lacks %q:\n%s", ref, arg, argv)
			}
		}
	}
}

// queueStubs fakes kubectl: `get` prints the runs listed in $MLC_RUNS (one
// "created name [completed]" per line), `patch` and `label` are logged.
func queueStubs(t *testing.T) string {
	return stubs(t, map[string]string{
		"kubectl": `echo "$*" >> "$MLC_LOG"
if [ "$1" = get ]; then cat "$MLC_RUNS"; fi
`,
		// Each wait lets the earliest run finish.
		"sleep": `echo sleep >> "$MLC_LOG"
sed -i '1s/$/ 2026-01-01T00:09:00Z/' "$MLC_RUNS"
`,
	})
}

func TestQueueWaitsForEarlierRunsOnly(t *testing.T) {
	dir := t.TempDir()
	runs, log := filepath.Join(dir, "runs"), filepath.Join(dir, "log")
	// Not in creation order; the stub sleep marks the first line (first) as
	// finished, and "later" was created after this run: never waited for.
	list := "2026-01-01T00:01:00Z first\n2026-01-01T00:03:00Z later\n2026-01-01T00:02:00Z me\n2026-01-01T00:00:00Z done 2026-01-01T00:05:00Z\n"
	if err := os.WriteFile(runs, []byte(list), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{queueStubs(t), "MLC_LOG=" + log, "MLC_RUNS=" + runs, "MLC_RUN=me", "MLC_GROUP=g", "MLC_CANCEL_IN_PROGRESS=false"}
	out := runScript(t, queueScript, env)
	if !strings.Contains(out, "waiting for first") || strings.Contains(out, "waiting for later") || strings.Contains(out, "waiting for done") {
		t.Errorf("output %q", out)
	}
	got, _ := os.ReadFile(log)
	if n := strings.Count(string(got), "sleep"); n != 1 {
		t.Errorf("slept %d times, want 1:\n%s", n, got)
	}
	if !strings.HasPrefix(string(got), "label --overwrite pipelinerun me mlc.dev/concurrency=g\n") {
		t.Errorf("the run does not label itself first:\n%s", got)
	}
}

func TestQueueCancelsEarlierRuns(t *testing.T) {
	dir := t.TempDir()
	runs, log := filepath.Join(dir, "runs"), filepath.Join(dir, "log")
	if err := os.WriteFile(runs, []byte("2026-01-01T00:01:00Z old\n2026-01-01T00:02:00Z me\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	env := []string{queueStubs(t), "MLC_LOG=" + log, "MLC_RUNS=" + runs, "MLC_RUN=me", "MLC_GROUP=g", "MLC_CANCEL_IN_PROGRESS=true"}
	runScript(t, queueScript, env)
	got, _ := os.ReadFile(log)
	if !strings.Contains(string(got), `patch pipelinerun old --type merge -p {"spec":{"status":"Cancelled"}}`) {
		t.Errorf("old run not cancelled:\n%s", got)
	}
}

// The collector reads what internal/stepoutput writes, as its parser does.
func TestOutputsScriptAgreesWithTheProtocol(t *testing.T) {
	stepoutputtest.CheckCollector(t, func(t *testing.T, triples [][3]string) {
		var args []string
		for _, tr := range triples {
			args = append(args, tr[:]...)
		}
		runScript(t, outputsScript, []string{"PATH=" + os.Getenv("PATH")}, args...)
	})
}
