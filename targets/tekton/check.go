package tekton

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// Tekton and Kubernetes name rules for the identifiers mlc turns into
// object, task, step, result and parameter names.
var (
	dnsLabel   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	resultName = regexp.MustCompile(`^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$`)
	labelValue = regexp.MustCompile(`^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$`)
	// imageRef is what the builder accepts as a push destination: an image
	// reference, possibly with ${NAME} references the shell expands.
	imageRef = regexp.MustCompile(`^[A-Za-z0-9._/:@${}-]+$`)
)

// checker collects every problem found while walking the IR, each where
// it is (at) and naming the field, so Render stops before writing anything
// and the user fixes them all in one pass.
type checker struct {
	at       ir.Where
	problems []ir.Problem
}

func (c *checker) fail(format string, args ...any) {
	c.problems = append(c.problems, ir.Problem{Where: c.at, Msg: fmt.Sprintf("tekton: "+format, args...)})
}

// text rejects a user string Tekton would rewrite: Tekton substitutes
// "$(...)" variables in every step field, parameter and when-expression, so
// such text would not reach the shell verbatim (and could read other
// parameters). Kubernetes' own "$(VAR)" expansion is covered by the same rule.
//
// A field is named by where it is (at, "" at the top) and what it is, joined
// only for a problem: the check runs over every string of thousands of jobs.
func (c *checker) text(at, field, s string) {
	if strings.Contains(s, "$(") {
		c.fail(`%s contains "$(", which Tekton substitutes before the step runs; use ${NAME} for variables or backticks for command substitution`, join(at, field))
	}
}

func (c *checker) match(re *regexp.Regexp, what, at, field, s string) {
	if !re.MatchString(s) {
		c.fail("%s %q is not a valid %s", join(at, field), s, what)
	}
}

func (c *checker) dns(at, field, s string, max int) {
	c.match(dnsLabel, "Kubernetes name (lower-case letters, digits, '-')", at, field, s)
	if len(s) > max {
		c.fail("%s %q is longer than the %d characters Tekton allows here", join(at, field), s, max)
	}
}

func join(at, field string) string {
	if at == "" || field == "" {
		return at + field
	}
	return at + " " + field
}

// check finds every name mlc derives objects from and every user string
// that reaches a Tekton manifest that Tekton would refuse or rewrite
// (ir.Engine.Check).
func check(p *ir.Pipeline) []ir.Problem {
	c := &checker{}
	c.at.Field = "Name"
	c.dns("", "pipeline name", p.Name, 63)
	c.at.Field = "MLCImage"
	c.text("", "pipeline mlcImage", p.MLCImage)
	if p.MLCImage == "" {
		c.fail("pipeline has no mlc image (Pipeline.MLCImage); container engines need one")
	}
	c.at.Field = "Repository"
	c.text("", "pipeline repository", p.Repository)
	c.at.Field = "Helpers"
	for _, h := range []string{p.Helpers.Git, p.Helpers.Kubectl, p.Helpers.KubectlShell, p.Helpers.BuildKit} {
		c.text("", "pipeline helper image", h)
	}
	for _, w := range p.Workflows {
		c.workflow(w)
	}
	return c.problems
}

func (c *checker) workflow(w *ir.Workflow) {
	at := fmt.Sprintf("workflow %q", w.Name)
	c.at = ir.Where{Workflow: w.Name}
	// "-run" and "-starter" objects are derived from the workflow name.
	c.dns(at, "name", w.Name, 63-len("-starter"))
	if w.Concurrency != "" {
		c.match(labelValue, "Kubernetes label value (at most 63 letters, digits, '-', '_', '.')", at, "concurrency group", w.Concurrency)
	}
	for _, s := range w.Triggers.Schedules {
		c.at = ir.Where{Workflow: w.Name, Schedule: s.Name}
		c.dns(at, "schedule name", w.Name+"-"+s.Name, kube.MaxScheduleName)
	}
	c.at = ir.Where{Workflow: w.Name, Field: "OnFailure"}
	for _, s := range w.OnFailure {
		c.step(fmt.Sprintf("%s onFailure", at), s)
	}
	ids := map[string]bool{}
	for _, j := range w.Jobs {
		ids[j.ID] = true
	}
	for _, j := range w.Jobs {
		c.at = ir.Where{Workflow: w.Name, Job: j.ID}
		c.job(at, j)
		if j.Approval != nil && ids[approvalTaskName(j)] {
			c.fail("%s job %q: its approval task would be named %q, like another job", at, j.ID, approvalTaskName(j))
		}
		if j.ID == onFailureTask || j.ID == queueTask {
			c.fail("%s job %q: the name is reserved for a task mlc adds", at, j.ID)
		}
	}
}

func (c *checker) job(at string, j *ir.Job) {
	at = fmt.Sprintf("%s job %q", at, j.ID)
	// A trigger task runs as the account that may create PipelineRuns: no
	// user code may share its pod (stepsAccount).
	if slices.ContainsFunc(j.Steps, func(s ir.Step) bool { return s.Kind == ir.StepTrigger }) &&
		slices.ContainsFunc(j.Steps, func(s ir.Step) bool { return s.Kind != ir.StepTrigger && s.Kind != ir.StepMLC }) {
		c.fail("%s starts another workflow and runs user code: split it, so user code never runs as an account that may create runs", at)
	}
	c.dns(at, "id", j.ID, 63-len(approvalSuffix))
	c.text(at, "name", j.Name)
	c.text(at, "image", j.Image)
	c.text(at, "environment", j.Environment)
	c.env(at, j.Env)
	names := map[string]bool{"MLC_REVISION": true, "MLC_BRANCH": true, "MLC_BASE": true}
	if j.Workspace {
		for _, e := range trustCheckout {
			names[e.Name] = true
		}
	}
	unique := func(field, name string) {
		c.match(ir.EnvName, "environment variable name", field, "", name)
		if names[name] {
			c.fail("%s %s: the job already has an environment variable of that name", field, name)
		}
		names[name] = true
	}
	for _, e := range j.Env {
		unique(at+" env", e.Name)
	}
	for _, s := range j.Secrets {
		unique(at+" secret", s)
	}
	for _, in := range j.Inputs {
		unique(fmt.Sprintf("%s input %q env", at, in.Name), in.Env)
	}
	for _, o := range j.Outputs {
		c.match(resultName, "Tekton result name", at, "output", o.Name)
	}
	for _, msg := range kube.CheckResources(j.Resources) {
		c.fail("%s %s", at, msg)
	}
	c.text(at, "resources gpuType", j.Resources.GPUType)
	for _, b := range j.Condition.OnlyBranches {
		c.text(at, "condition branch", b)
	}
	if w := j.Condition.WhenOutput; w != nil {
		c.text(at, "condition equals", w.Equals)
	}
	if a := j.Approval; a != nil {
		if a.Required > 1 {
			c.fail("%s: required approvals %d > 1 is not supported on tekton (an approval records one decision, see docs/tekton.md); use 1", at, a.Required)
		}
		c.text(at, "approval environment", a.Environment)
		for _, name := range a.Approvers {
			c.text(at, "approval approver", name)
		}
	}
	stepIDs := map[string]bool{}
	for _, s := range j.Steps {
		c.step(at, s)
		if strings.HasPrefix(s.ID, reservedStepPrefix) {
			c.fail("%s step %q: step ids starting with %q are reserved for the steps mlc adds", at, s.ID, reservedStepPrefix)
		}
		if stepIDs[s.ID] {
			c.fail("%s step %q appears twice", at, s.ID)
		}
		stepIDs[s.ID] = true
		if s.Kind == ir.StepScript && j.Image == "" {
			c.fail("%s step %q runs a script but the job has no image", at, s.ID)
		}
	}
	if _, err := kube.ResourceHolder(j); err != nil {
		c.fail("%s: %v", at, err)
	}
	if err := kube.CheckSecrets(j); err != nil {
		c.fail("%s: %v", at, err)
	}
}

func (c *checker) step(at string, s ir.Step) {
	at = fmt.Sprintf("%s step %q", at, s.ID)
	c.dns(at, "id", s.ID, 63)
	c.text(at, "name", s.Name)
	c.text(at, "script", s.Script)
	c.text(at, "dir", s.Dir)
	for _, a := range s.Args {
		c.text(at, "argument", a)
	}
	c.env(at, s.Env)
	for _, name := range s.Secrets {
		c.match(ir.EnvName, "environment variable name", at, "secret", name)
		if name == "MLC_OUTPUT" || name == "MLC_SCRIPT" || slices.ContainsFunc(s.Env, func(e ir.EnvVar) bool { return e.Name == name }) {
			c.fail("%s secret %s: the step already has an environment variable of that name", at, name)
		}
	}
	if b := s.Build; b != nil {
		c.text(at, "build context", b.Context)
		c.text(at, "build dockerfile", b.Dockerfile)
		c.match(imageRef, "image reference", at, "build ref", b.Ref)
		c.env(at+" build", b.Args)
		for _, k := range slices.Sorted(maps.Keys(b.Labels)) {
			c.text(at, "build label", k)
			c.text(at, "build label "+k, b.Labels[k])
		}
	}
	if s.Kind == ir.StepBuildImage && s.Build == nil {
		c.fail("%s builds an image but has no build settings", at)
	}
	if s.Kind == ir.StepTrigger {
		if len(s.Triggers) == 0 {
			c.fail("%s starts no workflow", at)
		}
		for _, t := range s.Triggers {
			c.dns(at, "trigger", t, 63)
		}
	}
}

func (c *checker) env(at string, env []ir.EnvVar) {
	if len(env) == 0 {
		return
	}
	at += " env"
	for _, e := range env {
		c.match(ir.EnvName, "environment variable name", at, "", e.Name)
		if e.Name == "MLC_OUTPUT" || e.Name == "MLC_SCRIPT" {
			c.fail("%s %s: the name is reserved for the variable mlc sets itself", at, e.Name)
		}
		c.text(at, e.Name, e.Value)
	}
}
