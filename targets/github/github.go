// Package github renders the IR as GitHub Actions workflows, one file per
// workflow, safe by default: read-only token with write scopes granted per
// job, no third-party actions, checkout without persisted
// credentials, and every user string passed through env, never spliced into
// a script or an expression.
package github

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
)

// Target renders GitHub Actions workflows.
type Target struct{}

var _ targets.Target = Target{}

func (Target) Name() string       { return "github" }
func (Target) DefaultDir() string { return ".github/workflows" }

// Engine: GitHub evaluates ${{ }} in every value of a workflow, run
// scripts included, before the shell sees them. Keyless signatures name
// the exact workflow file and ref that ran (GITHUB_WORKFLOW_REF is
// owner/repo/.github/workflows/FILE@REF), so a deploy accepts only what
// its own workflow on its own branch signed.
func (Target) Engine() ir.Engine {
	return ir.Engine{
		Name: "github",
		Reserved: []ir.Reserved{{Seq: "${{", Engine: "GitHub Actions expression",
			Hint: "pass values to scripts through env (and read $VAR) instead of engine expressions"}},
		Env:      []string{"GITHUB_SERVER_URL", "GITHUB_WORKFLOW_REF"},
		Keyless:  true,
		Issuer:   "https://token.actions.githubusercontent.com",
		Identity: "${GITHUB_SERVER_URL}/${GITHUB_WORKFLOW_REF}",
		Check:    check,
	}
}

// MaxWorkflowBytes is the largest workflow file GitHub runs: a larger one
// "will not start runs" (GitHub's Actions limits, "Workflow file size:
// 500 KB per file"); read as 500,000 bytes, the stricter of its meanings.
const MaxWorkflowBytes = 500_000

// Render returns one workflow file per IR workflow, and the actionlint
// configuration for the self-hosted runners they use.
func (Target) Render(p *ir.Pipeline) ([]targets.File, error) {
	if err := (Target{}).Engine().Verify(p); err != nil {
		return nil, err
	}
	header, err := targets.Header(p)
	if err != nil {
		return nil, err
	}
	files, err := targets.ForEach(len(p.Workflows), func(i int) (targets.File, error) {
		data, err := workflow(p, p.Workflows[i], header)
		return targets.File{Path: p.Workflows[i].Name + ".yml", Data: data}, err
	})
	if err != nil {
		return nil, err
	}
	var tooLarge []error
	for i, f := range files {
		if len(f.Data) > MaxWorkflowBytes {
			tooLarge = append(tooLarge, targets.TooLarge(fmt.Sprintf("github: workflow %s would be %d KB, more than the %d KB GitHub starts runs of",
				p.Workflows[i].Name, len(f.Data)/1000, MaxWorkflowBytes/1000)))
		}
	}
	if len(tooLarge) > 0 {
		return nil, errors.Join(tooLarge...)
	}
	lint, err := actionlintConfig(p, header)
	if err != nil {
		return nil, err
	}
	if lint != nil {
		files = append(files, *lint)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// workflow is the workflow file. Jobs are built and written one at a time,
// so a workflow of thousands of jobs never lives in memory as one tree.
func workflow(p *ir.Pipeline, w *ir.Workflow, header string) ([]byte, error) {
	doc := yamlout.NewMap().Set("name", w.Name)
	doc.Set("on", triggers(w.Triggers))
	doc.Set("permissions", yamlout.NewMap().Set("contents", "read"))
	doc.Set("concurrency", yamlout.NewMap().Set("group", w.Concurrency).Set("cancel-in-progress", w.CancelInProgress))
	if len(w.OnFailure) > 0 || slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return usesMLC(j.Steps) }) {
		doc.Set("env", installEnv(p))
	}
	out := yamlout.NewWriter(header)
	if err := out.Document(doc); err != nil {
		return nil, err
	}
	if len(w.Jobs) == 0 && len(w.OnFailure) == 0 {
		return nil, fmt.Errorf("github: workflow %s has no jobs", w.Name)
	}
	out.Key(0, "jobs")
	sk := skipsOf(w)
	for _, j := range w.Jobs {
		jm, err := job(p, w, j, sk)
		if err == nil {
			err = out.Entry(2, j.ID, jm)
		}
		if err != nil {
			return nil, err
		}
	}
	if len(w.OnFailure) > 0 {
		if err := out.Entry(2, "alert", alertJob(p, w)); err != nil {
			return nil, err
		}
	}
	return out.Close(), nil
}

func triggers(t ir.Triggers) *yamlout.Map {
	on := yamlout.NewMap()
	if t.Push != nil {
		push := yamlout.NewMap().Set("branches", t.Push.Branches)
		if len(t.Push.Tags) > 0 {
			push.Set("tags", t.Push.Tags)
		}
		if len(t.Push.Paths) > 0 {
			// GitHub does not filter tag pushes by path.
			push.Set("paths", pathPatterns(t.Push.Paths))
		}
		on.Set("push", push)
	}
	if t.PullRequest != nil {
		on.Set("pull_request", yamlout.NewMap().Set("branches", t.PullRequest.Branches))
	}
	if len(t.Schedules) > 0 {
		var crons []*yamlout.Map
		for _, s := range t.Schedules {
			crons = append(crons, yamlout.NewMap().Set("cron", s.Cron))
		}
		on.Set("schedule", crons)
	}
	if t.Manual {
		on.Set("workflow_dispatch", yamlout.NewMap())
	}
	return on
}

func job(p *ir.Pipeline, w *ir.Workflow, j *ir.Job, sk skips) (*yamlout.Map, error) {
	m := yamlout.NewMap().Set("name", j.Name)
	m.Set("runs-on", runsOn(p, j))
	m.Set("needs", yamlout.Flow(yamlout.Node(j.Needs)))
	if cond := condition(j, sk); cond != "" {
		m.Set("if", cond)
	}
	if j.Environment != "" {
		// Approval is the environment's protection rule (required
		// reviewers), configured in the repository settings.
		m.Set("environment", j.Environment)
	}
	m.Set("permissions", permissions(j))
	if j.Timeout > 0 {
		m.Set("timeout-minutes", int(math.Ceil(j.Timeout.Minutes())))
	}
	if len(j.Outputs) > 0 {
		outs := yamlout.NewMap()
		for _, o := range j.Outputs {
			outs.Set(o.Name, fmt.Sprintf("${{ steps.%s.outputs.%s }}", o.FromStep, o.Name))
		}
		m.Set("outputs", outs)
	}
	m.Set("env", jobEnv(j))
	steps, err := jobSteps(p, j)
	if err != nil {
		return nil, err
	}
	m.Set("steps", steps)
	return m, nil
}

// runnerLabels picks runner labels: GPU jobs go to the GPU runners,
// narrowed by the accelerator type when the spec names one.
func runnerLabels(p *ir.Pipeline, j *ir.Job) []string {
	labels := p.Runners.Default
	if j.Resources.GPU > 0 {
		labels = append([]string{}, p.Runners.GPU...)
		if j.Resources.GPUType != "" {
			labels = append(labels, j.Resources.GPUType)
		}
	}
	return labels
}

func runsOn(p *ir.Pipeline, j *ir.Job) *yaml.Node {
	labels := runnerLabels(p, j)
	if len(labels) == 1 {
		return yamlout.Str(labels[0])
	}
	return yamlout.Flow(yamlout.Node(labels))
}

// skips says, for each job of w, whether a condition may skip it (its
// own, or a skipped need's, unless it runs despite skipped needs), and
// whether a job upstream of it may be skipped.
type skips struct{ skippable, shadowed map[string]bool }

func skipsOf(w *ir.Workflow) skips {
	s := skips{map[string]bool{}, map[string]bool{}}
	for _, j := range w.Jobs { // needs come first
		c := j.Condition
		s.shadowed[j.ID] = slices.ContainsFunc(j.Needs, func(n string) bool { return s.skippable[n] || s.shadowed[n] })
		s.skippable[j.ID] = len(c.OnlyBranches) > 0 || c.WhenOutput != nil ||
			!c.DespiteSkipped && slices.ContainsFunc(j.Needs, func(n string) bool { return s.skippable[n] })
	}
	return s
}

// condition is the job's if: expression. Values from the spec are quoted
// as expression string literals.
//
// GitHub's implicit success() is false when any job upstream, not only a
// need, was skipped, so a job after a skipped one would never run, even
// through a job that ran: such a job states the rule itself, with status
// functions and its needs' results.
func condition(j *ir.Job, s skips) string {
	c := j.Condition
	var parts []string
	if s.shadowed[j.ID] && !c.DespiteSkipped {
		for _, n := range j.Needs {
			if s.skippable[n] {
				parts = append(parts, fmt.Sprintf("needs.%s.result == 'success'", n))
			}
		}
	}
	if len(c.OnlyBranches) > 0 {
		var refs []string
		for _, b := range c.OnlyBranches {
			refs = append(refs, "github.ref == "+exprString("refs/heads/"+b))
		}
		parts = append(parts, "("+strings.Join(refs, " || ")+")")
	}
	if o := c.WhenOutput; o != nil {
		parts = append(parts, fmt.Sprintf("needs.%s.outputs.%s == %s", o.Job, o.Output, exprString(o.Equals)))
	}
	if c.DespiteSkipped || s.shadowed[j.ID] {
		// A status function replaces the implicit success(), which a
		// skipped need fails; failure() still stops it after a failed one.
		parts = append([]string{"!cancelled() && !failure()"}, parts...)
		return "${{ " + strings.Join(parts, " && ") + " }}"
	}
	return strings.Join(parts, " && ")
}

// pathPatterns are GitHub filter patterns matching each path and, for a
// directory, everything under it; the pattern characters a path may hold
// are escaped, so a path matches only itself.
func pathPatterns(paths []string) []string {
	esc := strings.NewReplacer(`\`, `\\`, "*", `\*`, "?", `\?`, "+", `\+`, "[", `\[`, "]", `\]`, "!", `\!`)
	var out []string
	for _, p := range paths {
		p = esc.Replace(p)
		out = append(out, p, p+"/**")
	}
	return out
}

// exprString quotes s as a GitHub expression string literal.
func exprString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func permissions(j *ir.Job) *yamlout.Map {
	if len(j.Permissions) == 0 {
		return nil // the workflow's contents: read applies
	}
	m := yamlout.NewMap()
	if j.Workspace {
		m.Set("contents", "read")
	}
	for _, p := range j.Permissions {
		m.Set(p.Scope, p.Access)
	}
	return m
}

func jobEnv(j *ir.Job) *yamlout.Map {
	env := yamlout.NewMap()
	names := map[string]string{"MLC_REVISION": "${{ github.sha }}"}
	if j.History {
		// Empty but on pushes; all zeros for a new branch or tag.
		names["MLC_BASE"] = "${{ github.event.before }}"
	}
	for _, e := range j.Env {
		names[e.Name] = e.Value
	}
	for _, in := range j.Inputs {
		names[in.Env] = fmt.Sprintf("${{ needs.%s.outputs.%s }}", in.Job, in.Output)
	}
	for _, k := range slices.Sorted(maps.Keys(names)) {
		env.Set(k, names[k])
	}
	return env
}
