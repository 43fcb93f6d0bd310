package gitops

import (
	"slices"
	"strings"
	"testing"

	"github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
)

func TestMatch(t *testing.T) {
	for _, c := range []struct {
		patterns []string
		name     string
		want     bool
	}{
		{[]string{"main"}, "main", true},
		{[]string{"main"}, "mainline", false},
		{[]string{"v*"}, "v1.2.0", true},
		{[]string{"v*"}, "v1/x", false},
		{[]string{"release/**"}, "release/2026/q1", true},
		{[]string{"release/*"}, "release/2026/q1", false},
		{[]string{"v?.0"}, "v1.0", true},
		{[]string{"feature/**", "!feature/wip*"}, "feature/wip-2", false},
		{[]string{"feature/**", "!feature/wip*"}, "feature/ok", true},
		{[]string{"v[0-9]+.*"}, "v12.x", true},
		{[]string{"a.b"}, "axb", false}, // "." is literal
		{nil, "main", false},
	} {
		if got := Match(c.patterns, c.name); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.patterns, c.name, got, c.want)
		}
	}
}

var testStages = []Stage{
	{Name: "spec", All: true, Paths: []string{"ml/pipeline.cue", "ml/cue.mod"}},
	{Name: "datasets.credit", Paths: []string{"ml/data"}},
	{Name: "code.trainer", Paths: []string{"ml/train"}},
	{Name: "models.scorer", Paths: []string{"ml/train"}, After: []string{"datasets.credit", "code.trainer"}},
	{Name: "apps.api", Paths: []string{"ml/service"}, After: []string{"models.scorer"}},
	{Name: "environments.staging", After: []string{"apps.api"}},
}

// TestAffected: a pull request's branch against main, as mlc affected
// reads it from git.
func TestAffected(t *testing.T) {
	r := newTestRepo(t)
	r.commit(map[string]string{"ml/pipeline.cue": "v1", "ml/train/train.py": "1", "ml/service/app.py": "1", "ml/data/prep.py": "1", "README.md": "1"})
	for _, c := range []struct {
		name    string
		files   map[string]string
		want    []string // affected stages
		because string   // the first reason of the last affected stage
	}{
		{"service", map[string]string{"ml/service/app.py": "2"}, []string{"apps.api", "environments.staging"}, "via apps.api"},
		{"trainer", map[string]string{"ml/train/train.py": "2"}, []string{"code.trainer", "models.scorer", "apps.api", "environments.staging"}, "via apps.api"},
		{"data", map[string]string{"ml/data/new.py": "1"}, []string{"datasets.credit", "models.scorer", "apps.api", "environments.staging"}, "via apps.api"},
		{"docs", map[string]string{"README.md": "2", "ml/servicex/x": "1"}, nil, ""},
		{"spec", map[string]string{"ml/pipeline.cue": "v2"}, []string{"spec", "datasets.credit", "code.trainer", "models.scorer", "apps.api", "environments.staging"}, "via spec"},
	} {
		t.Run(c.name, func(t *testing.T) {
			r.checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("main")})
			r.checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("pr-" + c.name), Create: true})
			r.commit(c.files)
			changed, err := Changed(r.repo, "main", "HEAD")
			if err != nil {
				t.Fatal(err)
			}
			if want := strings.Fields(stockGit(t, r.dir, "diff", "--name-only", "main...HEAD")); !slices.Equal(changed, want) {
				t.Errorf("changed %q, git diff main...HEAD says %q", changed, want)
			}
			var got []string
			var last Effect
			for _, e := range Affected(changed, testStages) {
				if e.Affected {
					got, last = append(got, e.Stage), e
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("affected %q, want %q", got, c.want)
			}
			if len(got) > 0 && last.Because[0].Via != strings.TrimPrefix(c.because, "via ") {
				t.Errorf("%s because %+v, want %s", last.Stage, last.Because, c.because)
			}
		})
	}
	// main moved on after the branch: its changes are not the branch's.
	r.checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("main")})
	r.commit(map[string]string{"ml/train/train.py": "main"})
	r.checkout(&git.CheckoutOptions{Branch: plumbing.NewBranchReferenceName("pr-service")})
	changed, err := Changed(r.repo, "main", "HEAD")
	if err != nil || !slices.Equal(changed, []string{"ml/service/app.py"}) {
		t.Errorf("after main moved: %q, %v; want only the branch's own change", changed, err)
	}
	if _, err := Changed(r.repo, "origin/main", "HEAD"); err == nil || !strings.Contains(err.Error(), "git fetch") {
		t.Errorf("unknown base: %v", err)
	}
}
