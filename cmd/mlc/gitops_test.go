package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"

	"github.com/mlc-project/mlc/gitops"
)

// exampleRepo is a git repository holding the credit-risk example in ml/,
// committed on main.
func exampleRepo(t *testing.T) (root string, wt *git.Worktree, repo *git.Repository) {
	t.Helper()
	root = t.TempDir()
	if err := os.CopyFS(filepath.Join(root, "ml"), os.DirFS("../../examples/credit-risk")); err != nil {
		t.Fatal(err)
	}
	repo, err := git.PlainInitWithOptions(root, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		t.Fatal(err)
	}
	if wt, err = repo.Worktree(); err != nil {
		t.Fatal(err)
	}
	commitAll(t, wt, "add the example")
	return root, wt, repo
}

func commitAll(t *testing.T, wt *git.Worktree, msg string) plumbing.Hash {
	t.Helper()
	if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
		t.Fatal(err)
	}
	sig := &object.Signature{Name: "Ada", Email: "ada@example.com", When: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	h, err := wt.Commit(msg, &git.CommitOptions{Author: sig, Committer: sig})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// execute runs the root command with args, returning stdout and the error.
func execute(t *testing.T, args ...string) (string, error) {
	t.Helper()
	t.Setenv("MLC_OUTPUT", filepath.Join(t.TempDir(), "out"))
	t.Setenv("GITHUB_OUTPUT", "")
	var out bytes.Buffer
	root := newRootCmd()
	root.SetArgs(args)
	root.SetOut(&out)
	root.SetErr(&bytes.Buffer{})
	err := root.Execute()
	return out.String(), err
}

func outputs(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(os.Getenv("MLC_OUTPUT"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVersionCommand(t *testing.T) {
	t.Setenv("MLC_BRANCH", "")
	root, _, repo := exampleRepo(t)
	head, _ := repo.Head()
	sig := &object.Signature{Name: "Ada", Email: "ada@example.com", When: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}
	if _, err := repo.CreateTag("v0.1.0", head.Hash(), &git.CreateTagOptions{Tagger: sig, Message: "v0.1.0"}); err != nil {
		t.Fatal(err)
	}
	out, err := execute(t, "version", filepath.Join(root, "ml"), "--json")
	if err != nil {
		t.Fatal(err)
	}
	var v gitops.Version
	if err := json.Unmarshal([]byte(out), &v); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if v.Describe != "v0.1.0" || v.Channel != gitops.Release || v.Branch != "main" || v.Commit != head.Hash().String() || v.Dirty {
		t.Errorf("version %+v", v)
	}
	if o := outputs(t); !strings.Contains(o, "channel=release\n") || !strings.Contains(o, "version=v0.1.0\n") {
		t.Errorf("outputs:\n%s", o)
	}
	if _, err := execute(t, "version", t.TempDir()); err == nil || !strings.Contains(err.Error(), "not in a git repository") {
		t.Errorf("outside a repository: %v", err)
	}
	// mlc run outside git: the version job says so and goes on, unversioned.
	if _, err := execute(t, "version", t.TempDir(), "--allow-detached"); err != nil {
		t.Errorf("outside a repository, --allow-detached: %v", err)
	} else if o := outputs(t); o != "channel=alpha\nversion=\n" {
		t.Errorf("outside a repository, --allow-detached: outputs %q", o)
	}
}

// TestAffectedCommand: a change to the service rebuilds and redeploys the
// app and leaves training alone.
func TestAffectedCommand(t *testing.T) {
	root, wt, _ := exampleRepo(t)
	if err := wt.Checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("pr"), Create: true}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "ml/service/app.py"), []byte("# changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	commitAll(t, wt, "change the service")
	out, err := execute(t, "affected", filepath.Join(root, "ml"), "--base", "main")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"apps.api affected: ml/service/app.py (under ml/service)",
		"environments.staging affected: via apps.api",
		"models.scorer unchanged",
		"datasets.credit unchanged",
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), " ")+" ", want+" ") {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if o := outputs(t); !strings.Contains(o, "apps_api=true\n") || !strings.Contains(o, "models_scorer=false\n") || !strings.Contains(o, "spec=false\n") {
		t.Errorf("outputs:\n%s", o)
	}
	if _, err := execute(t, "affected", filepath.Join(root, "ml"), "--base", "nope"); err == nil || !strings.Contains(err.Error(), `revision "nope" not found`) {
		t.Errorf("unknown base: %v", err)
	}
	// Nothing to compare with (a scheduled run, GitHub's before of a new
	// branch, a force push): an error, or with --all-if-no-base every stage.
	zeros := strings.Repeat("0", 40)
	for base, why := range map[string]string{"": "no base given", zeros: "a new branch", "nope": "the base is not in the history"} {
		if base != "nope" {
			if _, err := execute(t, "affected", filepath.Join(root, "ml"), "--base", base); err == nil || !strings.Contains(err.Error(), "--all-if-no-base") {
				t.Errorf("--base %q: %v, want an error naming --all-if-no-base", base, err)
			}
		}
		out, err := execute(t, "affected", filepath.Join(root, "ml"), "--base", base, "--all-if-no-base")
		if err != nil {
			t.Fatalf("--base %q --all-if-no-base: %v", base, err)
		}
		if !strings.Contains(out, "models.scorer") || strings.Contains(out, "unchanged") || !strings.Contains(out, "nothing to compare with ("+why+")") {
			t.Errorf("--base %q --all-if-no-base:\n%s", base, out)
		}
		if o := outputs(t); strings.Contains(o, "=false") || !strings.Contains(o, "models_scorer=true\n") {
			t.Errorf("--base %q --all-if-no-base: outputs\n%s", base, o)
		}
	}
}

// TestDeployCommand: mlc deploy verifies the image and its inputs, then
// commits the digest with their trailers to the environment repository.
func TestDeployCommand(t *testing.T) {
	dir, store, priv, pub := signingSetup(t)
	env := filepath.Join(dir, "env.git")
	seed := filepath.Join(dir, "seed")
	repo, err := git.PlainInitWithOptions(seed, &git.PlainInitOptions{InitOptions: git.InitOptions{DefaultBranch: plumbing.NewBranchReferenceName("main")}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(seed, "staging"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(seed, "staging/kustomization.yaml"), []byte("images:\n- name: api\n  newTag: v1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	wt, _ := repo.Worktree()
	commitAll(t, wt, "staging")
	if _, err := git.PlainCloneContext(t.Context(), env, true, &git.CloneOptions{URL: seed}); err != nil {
		t.Fatal(err)
	}
	spec := filepath.Join(dir, "ml")
	if err := os.CopyFS(spec, os.DirFS("../../examples/credit-risk")); err != nil {
		t.Fatal(err)
	}
	extra := "package pipeline\n\nenvironments: staging: gitops: {repo: \"" + env + "\", file: \"staging/kustomization.yaml\", image: \"api\"}\n"
	if err := os.WriteFile(filepath.Join(spec, "gitops.cue"), []byte(extra), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"app", "model"} {
		if err := os.MkdirAll(filepath.Join(dir, name), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name, "f"), []byte(name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if code, msg := runCommand(t, newRootCmd(), "push", "dataset", filepath.Join(dir, "app"), store+":data", "--sign", "--key", priv); code != exitOK {
		t.Fatal(msg)
	}
	if code, msg := runCommand(t, newRootCmd(), "push", "model", filepath.Join(dir, "model"), store+":model", "--from-dataset", store+":data", "--sign", "--key", priv); code != exitOK {
		t.Fatal(msg)
	}
	if code, msg := runCommand(t, newRootCmd(), "push", "code", filepath.Join(dir, "app"), store+":app"); code != exitOK {
		t.Fatal(msg)
	}
	if code, msg := runCommand(t, newRootCmd(), "deploy", "staging", spec, "--image", store+":app", "--key", pub); code != exitFailed || !strings.Contains(msg, "signature not verified (unsigned)") {
		t.Errorf("unsigned image: exit %d, %s", code, msg)
	}
	if code, msg := runCommand(t, newRootCmd(), "sign", store+":app", "--key", priv); code != exitOK {
		t.Fatal(msg)
	}
	out, err := execute(t, "deploy", "staging", spec, "--image", store+":app", "--model", store+":model", "--key", pub, "--run", "https://ci.example/run/7")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "deployed oci:") || !strings.Contains(out, "to staging: commit") {
		t.Errorf("output: %s", out)
	}
	show := stockGitCmd(t, env, "show", "main:staging/kustomization.yaml")
	if !strings.Contains(show, "digest: sha256:") || strings.Contains(show, "newTag") {
		t.Errorf("manifest:\n%s", show)
	}
	model := stockGitCmd(t, env, "log", "-1", "--format=%(trailers:key=Mlc-Model,valueonly)")
	sig := stockGitCmd(t, env, "log", "-1", "--format=%(trailers:key=Mlc-Signature,valueonly)")
	run := stockGitCmd(t, env, "log", "-1", "--format=%(trailers:key=Mlc-Run,valueonly)")
	if !strings.Contains(model, "@sha256:") || !strings.HasPrefix(sig, "sha256:") || run != "https://ci.example/run/7" {
		t.Errorf("trailers: model %q, signature %q, run %q", model, sig, run)
	}
	// No --dataset: the model's provenance names its data.
	if data := stockGitCmd(t, env, "log", "-1", "--format=%(trailers:key=Mlc-Dataset,valueonly)"); !strings.Contains(data, "@sha256:") {
		t.Errorf("Mlc-Dataset %q: the model's dataset is not recorded", data)
	}
	// From what staging runs, by its GitOps repository, to the data.
	out, err = execute(t, "lineage", "--deployed", "staging", "--spec", spec, "--key", pub)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "model") || !strings.Contains(out, "dataset") {
		t.Errorf("lineage of what staging runs:\n%s", out)
	}
	if code, msg := runCommand(t, newRootCmd(), "deploy", "production", spec, "--image", store+":app", "--key", pub); code != exitBadInput || !strings.Contains(msg, "environments.production.gitops") {
		t.Errorf("environment without gitops: exit %d, %s", code, msg)
	}
}

func stockGitCmd(t *testing.T, dir string, args ...string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	out, err := exec.Command("git", append([]string{"-C", dir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}
