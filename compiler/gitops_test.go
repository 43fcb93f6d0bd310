package compiler

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

// TestGitOpsDeploy: an environment with a GitOps repository deploys by
// commit (mlc deploy, with the token only in that step), and its
// approval is the merge, not an engine wait.
func TestGitOpsDeploy(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ml")
	if err := os.CopyFS(dir, os.DirFS("../examples/credit-risk")); err != nil {
		t.Fatal(err)
	}
	extra := `package pipeline

environments: production: gitops: {repo: "https://github.com/acme/envs.git", file: "prod/kustomization.yaml", image: "api", token_secret: "KUBECONFIG_PRODUCTION"}
`
	if err := os.WriteFile(filepath.Join(dir, "gitops.cue"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err := Compile(dir)
	if err != nil {
		t.Fatal(err)
	}
	var job *ir.Job
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			if j.ID == "deploy-production" {
				job = j
			}
		}
	}
	if job == nil {
		t.Fatal("no deploy-production job")
	}
	if job.Approval != nil {
		t.Error("a GitOps environment waits for an engine approval; the merge is the approval")
	}
	i := slices.IndexFunc(job.Steps, func(s ir.Step) bool { return s.ID == "gitops" })
	if i < 0 {
		t.Fatal("no gitops step")
	}
	st := job.Steps[i]
	args := strings.Join(st.Args, " ")
	for _, want := range []string{"deploy production . ", "--image ${MLC_APP_IMAGE}", "--model ${MLC_MODEL}", "--key"} {
		if !strings.Contains(args, want) {
			t.Errorf("mlc %s: missing %q", args, want)
		}
	}
	if !slices.Equal(st.Secrets, []string{"KUBECONFIG_PRODUCTION"}) {
		t.Errorf("gitops step secrets %v", st.Secrets)
	}
	for _, other := range job.Steps {
		if other.ID != "gitops" && other.ID != "deploy" && slices.Contains(other.Secrets, "KUBECONFIG_PRODUCTION") {
			t.Errorf("step %s gets the GitOps token", other.ID)
		}
	}
}

// TestGitOpsExample: the example's GitOps environment (gitops.cue) runs
// mlc deploy with the tag that selects that file, and the kustomization
// entry it names is not taken for an image pulled by tag.
func TestGitOpsExample(t *testing.T) {
	var warns []string
	s, err := LoadWith("../examples/credit-risk", Options{Tags: []string{"gitops", "gitops_repo=file:///srv/env.git"}, Warn: func(e *Error) { warns = append(warns, e.Error()) }})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Environments["canary"].GitOps.Repo; got != "file:///srv/env.git" {
		t.Errorf("canary gitops repo %q, want the injected one", got)
	}
	p, err := s.Compile()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warns {
		if strings.Contains(w, "gitops") {
			t.Errorf("warning about the kustomization entry: %s", w)
		}
	}
	if len(warns) == 0 {
		t.Error("no warning at all: the tagged images of the example went unnoticed")
	}
	found := 0
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			for _, st := range j.Steps {
				if st.ID == "gitops" {
					found++
					if len(st.Secrets) > 0 {
						t.Errorf("a push to a repository on disk gets secrets %v", st.Secrets)
					}
				}
				if st.ID == "gitops" && !strings.HasPrefix(strings.Join(st.Args, " "), "deploy canary . --tag gitops --tag gitops_repo=file:///srv/env.git --image") {
					t.Errorf("gitops step %q in %s", st.Args, st.Dir)
				}
			}
		}
	}
	if found != 1 {
		t.Errorf("%d gitops steps, want 1 (deploy-canary)", found)
	}
}

// TestVersionJob: every workflow that pushes signed artifacts reads the
// version once, from a checkout with history, and stamps each push with
// it; workflows that push nothing have no version job.
func TestVersionJob(t *testing.T) {
	p, err := Compile("../examples/credit-risk")
	if err != nil {
		t.Fatal(err)
	}
	with := 0
	for _, w := range p.Workflows {
		var version *ir.Job
		pushes := 0
		for _, j := range w.Jobs {
			if j.ID == "version" {
				version = j
			}
			for _, st := range j.Steps {
				if !slices.Contains(st.Args, "--sign") {
					continue
				}
				pushes++
				if args := strings.Join(st.Args, " "); !strings.Contains(args, "--version ${MLC_VERSION} --channel ${MLC_CHANNEL}") || !slices.Contains(j.Needs, "version") {
					t.Errorf("%s/%s: signed push without the version: %s", w.Name, j.ID, args)
				}
			}
		}
		switch {
		case pushes > 0 && version == nil:
			t.Errorf("%s pushes %d artifacts and reads no version", w.Name, pushes)
		case pushes == 0 && version != nil:
			t.Errorf("%s pushes nothing but has a version job", w.Name)
		case version != nil:
			with++
			if !version.History || !version.Workspace || len(version.Needs) != 0 {
				t.Errorf("%s: version job %+v, want a first job with the history checked out", w.Name, version)
			}
			if args := strings.Join(version.Steps[0].Args, " "); args != "version . --allow-detached" {
				t.Errorf("%s: version step mlc %s", w.Name, args)
			}
		}
	}
	if with != 2 {
		t.Errorf("%d workflows read the version, want 2 (delivery and batch)", with)
	}
}

// TestChangeGates: on push, each delivery job runs when mlc affected says
// the change reaches its stage; the model job picks this run's model or
// production's whatever was skipped; without a push trigger nothing is
// gated (no run has a base).
func TestChangeGates(t *testing.T) {
	p, err := Compile("../examples/credit-risk")
	if err != nil {
		t.Fatal(err)
	}
	var delivery *ir.Workflow
	for _, w := range p.Workflows {
		if strings.HasSuffix(w.Name, "-delivery") {
			delivery = w
		}
	}
	want := map[string]string{
		"dataset-credit": "models_scorer", "code-trainer": "models_scorer", "train-scorer": "models_scorer", "evaluate-scorer": "models_scorer",
		"package-api": "apps_api", "deploy-staging": "environments_staging", "smoke-staging": "environments_staging",
		"deploy-production": "environments_production", "smoke-production": "environments_production",
		"version": "", "model-scorer": "",
	}
	for _, j := range delivery.Jobs {
		w, ok := want[j.ID]
		if !ok {
			t.Errorf("unexpected job %s", j.ID)
			continue
		}
		got := ""
		if c := j.Condition.WhenOutput; c != nil && c.Job == "version" && c.Equals == "true" {
			got = c.Output
		}
		if got != w {
			t.Errorf("%s gated on %q, want %q", j.ID, got, w)
		}
		if j.ID == "model-scorer" {
			args := strings.Join(j.Steps[0].Args, " ")
			if !j.Condition.DespiteSkipped || !strings.HasPrefix(args, "verify ${MLC_REGISTRY}/credit-risk-model-scorer:${MLC_REVISION} --else ${MLC_REGISTRY}/credit-risk-model-scorer:production --key") {
				t.Errorf("model job: despite skipped %v, mlc %s", j.Condition.DespiteSkipped, args)
			}
		}
		if j.ID == "version" {
			if last := j.Steps[len(j.Steps)-1]; strings.Join(last.Args, " ") != "affected . --base ${MLC_BASE} --all-if-no-base" {
				t.Errorf("version job's last step: mlc %s", strings.Join(last.Args, " "))
			}
		}
	}
	for _, j := range delivery.Jobs {
		for _, in := range j.Inputs {
			if in.Job == "evaluate-scorer" || in.Job == "dataset-credit" || in.Job == "code-trainer" {
				if j.ID != "train-scorer" && j.ID != "evaluate-scorer" {
					t.Errorf("%s reads %s of %s, which a change may skip", j.ID, in.Output, in.Job)
				}
			}
		}
	}

	dir := filepath.Join(t.TempDir(), "ml")
	if err := os.CopyFS(dir, os.DirFS("../examples/credit-risk")); err != nil {
		t.Fatal(err)
	}
	src, _ := os.ReadFile(filepath.Join(dir, "pipeline.cue"))
	noPush := strings.Replace(string(src), `push: {branches: ["main"], tags: ["v*"]} `, "", 1)
	if noPush == string(src) {
		t.Fatal("the example's push trigger moved; update the test")
	}
	if err := os.WriteFile(filepath.Join(dir, "pipeline.cue"), []byte(noPush), 0o644); err != nil {
		t.Fatal(err)
	}
	p, err = Compile(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			if c := j.Condition.WhenOutput; c != nil && c.Job == "version" {
				t.Errorf("%s/%s gated on changes without a push trigger", w.Name, j.ID)
			}
		}
	}
}

// TestAppStageHasItsDeployments: a change to how an environment deploys
// its app reaches the app, whose image the deployment needs.
func TestAppStageHasItsDeployments(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "ml")
	if err := os.CopyFS(dir, os.DirFS("../examples/credit-risk")); err != nil {
		t.Fatal(err)
	}
	extra := "package pipeline\n\nenvironments: staging: deploy: dir: \"deploy/staging\"\n"
	if err := os.WriteFile(filepath.Join(dir, "deploydir.cue"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range s.Stages("ml") {
		if st.Name == "apps.api" && !slices.Contains(st.Paths, "ml/deploy/staging") {
			t.Errorf("apps.api paths %v lack its deployment's dir", st.Paths)
		}
	}
}
