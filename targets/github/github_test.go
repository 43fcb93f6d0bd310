package github

import (
	"bytes"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"

	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/internal/golden"
	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
)

func render(t *testing.T, example string) []targets.File {
	t.Helper()
	p, err := compiler.Compile(filepath.Join(golden.Root(), "examples", example))
	if err != nil {
		t.Fatal(err)
	}
	files, err := Target{}.Render(p)
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func TestGolden(t *testing.T) {
	for _, ex := range golden.Examples(t) {
		t.Run(ex, func(t *testing.T) {
			files := render(t, ex)
			golden.Check(t, ex+"/github", files)
			again := render(t, ex)
			for i := range files {
				if !bytes.Equal(files[i].Data, again[i].Data) {
					t.Errorf("%s: two renders differ", files[i].Path)
				}
			}
		})
	}
}

// TestActionlint runs stock actionlint (with shellcheck when installed, as
// in CI) over every generated workflow, with the configuration mlc writes
// beside them, and expects no finding at all.
func TestActionlint(t *testing.T) {
	for _, ex := range golden.Examples(t) {
		files := render(t, ex)
		for _, f := range workflows(files) {
			for _, e := range lint(t, files, f) {
				t.Errorf("%s/%s:%d:%d: %s [%s]\n%s", ex, f.Path, e.Line, e.Column, e.Message, e.Kind, line(f.Data, e.Line))
			}
		}
	}
}

// TestActionlintConfigDeclaresGPULabels: without the generated
// .github/actionlint.yaml stock actionlint rejects the GPU runner labels.
func TestActionlintConfigDeclaresGPULabels(t *testing.T) {
	files := render(t, "credit-risk")
	var cfg []byte
	for _, f := range files {
		if f.Path == "../actionlint.yaml" {
			cfg = f.Data
		}
	}
	if !strings.Contains(string(cfg), "- nvidia-l4") || !strings.Contains(string(cfg), "- gpu") {
		t.Fatalf("actionlint config lacks the GPU labels:\n%s", cfg)
	}
	var delivery targets.File
	for _, f := range files {
		if f.Path == "credit-risk-delivery.yml" {
			delivery = f
		}
	}
	var labelErrs int
	for _, e := range lint(t, nil, delivery) {
		if e.Kind == "runner-label" {
			labelErrs++
		}
	}
	if labelErrs == 0 {
		t.Fatal("actionlint without the config accepted the GPU labels: the config would not be needed")
	}
}

// mlc's own release workflow is held to the same bar as generated ones.
func TestReleaseWorkflowLints(t *testing.T) {
	data, err := os.ReadFile("../../.github/workflows/release.yml")
	if err != nil {
		t.Fatal(err)
	}
	f := targets.File{Path: "release.yml", Data: data}
	for _, e := range lint(t, nil, f) {
		t.Errorf("release.yml:%d:%d: %s [%s]\n%s", e.Line, e.Column, e.Message, e.Kind, line(data, e.Line))
	}
	if bytes.Contains(data, []byte("uses:")) {
		t.Error("release.yml runs an action: every step must be a script of its own")
	}
}

// lint runs actionlint over one workflow with the actionlint.yaml among
// files, if any.
func lint(t *testing.T, files []targets.File, f targets.File) []*actionlint.Error {
	t.Helper()
	opts := &actionlint.LinterOptions{}
	for _, c := range files {
		if c.Path == "../actionlint.yaml" {
			opts.ConfigFile = filepath.Join(t.TempDir(), "actionlint.yaml")
			if err := os.WriteFile(opts.ConfigFile, c.Data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	if sc, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = sc
	}
	linter, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := linter.Lint(".github/workflows/"+f.Path, f.Data, nil)
	if err != nil {
		t.Fatal(err)
	}
	return errs
}

func workflows(files []targets.File) []targets.File {
	var out []targets.File
	for _, f := range files {
		if !strings.Contains(f.Path, "/") {
			out = append(out, f)
		}
	}
	return out
}

// TestRunsWithoutActions: no step uses an action (their code cannot be
// had where the runner is offline, and none runs with the job's token),
// and a job without a checkout never enters a directory of it.
func TestRunsWithoutActions(t *testing.T) {
	eachJob(t, func(where string, steps []map[string]any) {
		checkedOut := false
		for _, st := range steps {
			if st["uses"] != nil {
				t.Errorf("%s uses %v", where, st["uses"])
			}
			checkedOut = checkedOut || st["name"] == "Check out"
			if dir := st["working-directory"]; dir != nil && !checkedOut {
				t.Errorf("%s enters %v but has no checkout", where, dir)
			}
		}
	})
}

// eachJob calls f with the steps of every job of every example's
// workflows, and where the job is (example/file: job ID).
func eachJob(t *testing.T, f func(where string, steps []map[string]any)) {
	t.Helper()
	for _, ex := range golden.Examples(t) {
		for _, file := range workflows(render(t, ex)) {
			var wf struct {
				Jobs map[string]struct {
					Steps []map[string]any
				}
			}
			if err := yaml.Unmarshal(file.Data, &wf); err != nil {
				t.Fatal(err)
			}
			for id, j := range wf.Jobs {
				f(ex+"/"+file.Path+": job "+id, j.Steps)
			}
		}
	}
}

// TestLoginIsUndone: a job that logs docker in to ghcr.io logs it out as
// its last step, even after a failure (issue 11: a self-hosted runner
// keeps the token for the next job, of any repository).
func TestLoginIsUndone(t *testing.T) {
	logins := 0
	eachJob(t, func(where string, steps []map[string]any) {
		if !slices.ContainsFunc(steps, func(st map[string]any) bool { return st["name"] == "Log in to ghcr.io" }) {
			return
		}
		logins++
		if last := steps[len(steps)-1]; last["run"] != "docker logout ghcr.io" || last["if"] != "always()" {
			t.Errorf("%s logs in but ends with %v", where, last)
		}
	})
	if logins == 0 {
		t.Fatal("no job logs in: the examples no longer exercise this")
	}
}

// TestRefusesOneMachineSpecs: a local registry and file: deployments work
// only when all jobs share a machine (mlc run), never on GitHub runners.
func TestRefusesOneMachineSpecs(t *testing.T) {
	dir := filepath.Join(golden.Root(), "examples", "credit-risk")
	p, err := compiler.CompileWith(dir, compiler.Options{Tags: []string{"local"}})
	if err != nil {
		t.Fatal(err)
	}
	want := `environments.staging.url "file:.mlc/deploy/staging"`
	if _, err := (Target{}).Render(p); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("-t local: error %v, want one naming %s", err, want)
	}
	p.Registry = compiler.DefaultRegistry
	for _, want := range []string{`github: registry "oci:.mlc/store"`, `environments.staging.url`, `environments.production.url`} {
		if _, err := (Target{}).Render(p); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("default registry: error %v, want one naming %s", err, want)
		}
	}
	// Compiled for github, each is refused at the spec position of the
	// environment it came from.
	_, err = compiler.CompileWith(dir, compiler.Options{Tags: []string{"local"}, Engines: []ir.Engine{Target{}.Engine()}})
	for _, env := range []string{"staging", "production"} {
		at := regexp.MustCompile(`(?m)^\S+\.cue:\d+:\d+: environments\.` + env + `: github: environments\.` + env + `\.url "file:`)
		if err == nil || !at.MatchString(err.Error()) {
			t.Errorf("compiled for github: %v, want environments.%s.url refused at its position", err, env)
		}
	}
}

func line(data []byte, n int) string {
	lines := strings.Split(string(data), "\n")
	if n >= 1 && n <= len(lines) {
		return lines[n-1]
	}
	return ""
}

// A step taking an earlier step's output reads it from that step's
// outputs, through env (never spliced into the script).
func TestStepEnvFromAnEarlierStep(t *testing.T) {
	j := &ir.Job{ID: "package-api", Steps: []ir.Step{
		{ID: "build", Kind: ir.StepBuildImage, Build: &ir.ImageBuild{Ref: "r/app:1", Dockerfile: "Dockerfile", Context: "."}},
		{ID: "sign", Kind: ir.StepMLC, Args: []string{"sign", "${MLC_BUILT_IMAGE}"}, Env: []ir.EnvVar{{Name: "MLC_BUILT_IMAGE", FromStep: "build", Output: "ref"}}},
	}}
	m, err := step(&ir.Pipeline{}, j, j.Steps[1])
	if err != nil {
		t.Fatal(err)
	}
	out, err := yamlout.Encode("", m)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "MLC_BUILT_IMAGE: ${{ steps.build.outputs.ref }}") || !strings.Contains(string(out), `run: mlc sign "${MLC_BUILT_IMAGE}"`) {
		t.Errorf("sign step:\n%s", out)
	}
}

// TestPathPatterns: a path filter matches the path and what is under it,
// and a path's own pattern characters match only themselves.
func TestPathPatterns(t *testing.T) {
	got := pathPatterns([]string{"ml/service", "ml/data[v2]*!"})
	want := []string{"ml/service", "ml/service/**", `ml/data\[v2\]\*\!`, `ml/data\[v2\]\*\!/**`}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A workflow file GitHub would not start is refused, every one of them,
// and nothing is written; one just under the limit renders.
func TestRefusesWorkflowsGitHubWouldNotRun(t *testing.T) {
	pipeline := func(lines int, workflows ...string) *ir.Pipeline {
		p := &ir.Pipeline{Name: "p", Source: "pipeline.cue", Registry: "ghcr.io/acme/ml"}
		for _, name := range workflows {
			p.Workflows = append(p.Workflows, &ir.Workflow{Name: name, Triggers: ir.Triggers{Manual: true}, Jobs: []*ir.Job{{
				ID: "big", Name: "Big", Image: "python:3.12-slim",
				Steps: []ir.Step{{ID: "run", Name: "Run", Kind: ir.StepScript, Script: strings.Repeat("echo x\n", lines)}},
			}}})
		}
		return p
	}
	size := func(lines int) int {
		files, err := Target{}.Render(pipeline(lines, "p-delivery"))
		if err != nil {
			t.Fatal(err)
		}
		return len(files[0].Data)
	}
	// The script's bytes appear more than once (env and run): find how
	// many lines fill a file to just under the limit.
	perLine := size(1001) - size(1)
	under := (MaxWorkflowBytes - size(1) - 1000) * 1000 / perLine
	if got := size(under); got > MaxWorkflowBytes || got < MaxWorkflowBytes-5000 {
		t.Fatalf("calibration: %d lines give %d bytes", under, got)
	}
	_, err := Target{}.Render(pipeline(under+under/50, "p-delivery", "p-ci"))
	if !errors.Is(err, targets.ErrTooLarge) {
		t.Fatalf("Render = %v, want ErrTooLarge", err)
	}
	for _, want := range []string{"workflow p-delivery would be", "workflow p-ci would be", "more than the 500 KB GitHub starts runs of"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
}
