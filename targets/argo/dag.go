package argo

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// workflowRenderer turns one IR workflow into a WorkflowTemplate spec.
type workflowRenderer struct {
	p                *ir.Pipeline
	wf               *ir.Workflow
	jobs             map[string]*ir.Job // jobs rendered so far, by ID
	names            map[string]string  // template and task name → what claimed it
	templates        []template
	createsWorkflows bool
	revision         string // what MLC_REVISION and checkouts use: the pinned commit once resolved
}

func newWorkflowRenderer(p *ir.Pipeline, wf *ir.Workflow) *workflowRenderer {
	return &workflowRenderer{
		p: p, wf: wf,
		jobs:     map[string]*ir.Job{},
		names:    map[string]string{},
		revision: revisionParam,
	}
}

// claim reserves a template/task name, so a job id can never silently
// collide with a name mlc generates.
func (r *workflowRenderer) claim(name, owner string) error {
	if prev, ok := r.names[name]; ok {
		return fmt.Errorf("%s and %s both need the argo template name %q; rename the job", prev, owner, name)
	}
	r.names[name] = owner
	return nil
}

func (r *workflowRenderer) templateSpec() (workflowSpec, error) {
	spec := workflowSpec{Entrypoint: dagTemplate, ServiceAccountName: stepsAccount(r.wf.Name),
		AutomountServiceAccountToken: ptr(false), Executor: &executorConfig{ServiceAccountName: r.wf.Name}}
	if len(r.wf.Jobs) == 0 {
		return spec, fmt.Errorf("has no jobs; argo needs at least one task in the DAG")
	}
	if err := r.claim(dagTemplate, "the workflow graph"); err != nil {
		return spec, err
	}
	spec.Arguments = &arguments{Parameters: r.parameters()}
	r.templates = []template{{Name: dagTemplate}}
	var tasks []dagTask
	if needsCheckout(r.wf) {
		if err := r.claim(revisionTask, "the revision of the run"); err != nil {
			return spec, err
		}
		r.templates = append(r.templates, r.revisionTemplate())
		tasks = append(tasks, dagTask{Name: revisionTask, Template: revisionTask})
		r.revision = pinnedRevision
	}
	for _, job := range r.wf.Jobs {
		jobTasks, err := r.job(job)
		if err != nil {
			return spec, fmt.Errorf("job %s: %w", job.ID, err)
		}
		tasks = append(tasks, jobTasks...)
	}
	r.templates[0].DAG = &dag{Tasks: tasks}
	if len(r.wf.OnFailure) > 0 {
		if err := r.exitHandler(); err != nil {
			return spec, fmt.Errorf("on-failure: %w", err)
		}
		spec.OnExit = exitTemplate
	}
	spec.Templates = r.templates
	return spec, nil
}

// parameters are the fixed workflow parameters and the manual inputs.
func (r *workflowRenderer) parameters() []parameter {
	params := []parameter{{Name: paramRevision, Value: ptr(kube.DefaultRevision(r.wf)), Description: "git commit or ref to build; resolved once per run to the commit every job checks out (MLC_REVISION)"}}
	if slices.ContainsFunc(r.wf.Jobs, func(j *ir.Job) bool { return len(j.Condition.OnlyBranches) > 0 }) {
		params = append(params, parameter{Name: paramBranch, Value: ptr(kube.DefaultBranch(r.wf)), Description: "branch the run is for; branch-restricted jobs check it"})
	}
	if slices.ContainsFunc(r.wf.Jobs, func(j *ir.Job) bool { return j.History }) {
		params = append(params, parameter{Name: paramBase, Value: ptr(""), Description: "commit the pushed change went on (a push event's before), so that only the stages it reaches run; empty: every stage runs"})
	}
	repo := parameter{Name: paramRepo, Value: ptr(r.p.Repository), Description: "git URL of the repository, checked out for jobs that need the workspace (the spec's repository)"}
	if r.p.Repository == "" {
		// Argo submits a template only when every parameter has a value, so
		// the default stays empty; the checkout fails until a run sets it.
		repo.Description = "git URL of the repository, checked out for jobs that need the workspace; the spec sets no repository, so set this when submitting"
	}
	return append(params, repo)
}

// job adds the templates of one job and returns its DAG tasks: the job,
// preceded by a suspend task when it needs an approval.
func (r *workflowRenderer) job(job *ir.Job) ([]dagTask, error) {
	if err := r.claim(job.ID, "job "+job.ID); err != nil {
		return nil, err
	}
	if err := r.link(job); err != nil {
		return nil, err
	}
	when, err := r.conditions(job)
	if err != nil {
		return nil, err
	}
	tmpls, err := r.jobTemplates(job)
	if err != nil {
		return nil, err
	}
	if r.wf.Concurrency != "" {
		// Held while the job runs, not across the run: an approval waiting
		// for a person holds nothing, so later runs are not queued behind it.
		tmpls[0].Synchronization = &synchronization{Mutexes: []mutex{{Name: r.wf.Concurrency}}}
	}
	needs := job.Needs
	if len(needs) == 0 && r.revision == pinnedRevision {
		needs = []string{revisionTask}
	}
	var tasks []dagTask
	if job.Approval != nil {
		approval, err := r.approvalTemplate(job)
		if err != nil {
			return nil, err
		}
		r.templates = append(r.templates, approval)
		tasks = append(tasks, dagTask{Name: approval.Name, Template: approval.Name, Depends: depends(needs), When: strings.Join(when, " && ")})
		needs = append(append([]string{}, needs...), approval.Name)
		when = append(when, fmt.Sprintf("'{{tasks.%s.outputs.parameters.%s}}' == '%s'", approval.Name, approveParam, approveValue))
	}
	r.templates = append(r.templates, tmpls...)
	dep := depends(needs)
	if job.Condition.DespiteSkipped {
		dep = dependsDespiteSkipped(needs)
	}
	task := dagTask{Name: job.ID, Template: job.ID, Depends: dep, When: strings.Join(when, " && ")}
	for _, in := range job.Inputs {
		if task.Arguments == nil {
			task.Arguments = &arguments{}
		}
		task.Arguments.Parameters = append(task.Arguments.Parameters, parameter{
			Name:  in.Name,
			Value: ptr(fmt.Sprintf("{{tasks.%s.outputs.parameters.%s}}", in.Job, in.Output)),
		})
	}
	return append(tasks, task), nil
}

// link records the job and checks that what it reads (needs, inputs, output
// conditions) comes from jobs before it that produce it.
func (r *workflowRenderer) link(job *ir.Job) error {
	for _, n := range job.Needs {
		if _, ok := r.jobs[n]; !ok {
			return fmt.Errorf("needs %q, which is not an earlier job of the workflow", n)
		}
	}
	r.jobs[job.ID] = job
	for _, in := range job.Inputs {
		if err := r.readable(job, in.Job, in.Output); err != nil {
			return fmt.Errorf("input %s: %w", in.Name, err)
		}
	}
	if w := job.Condition.WhenOutput; w != nil {
		if err := r.readable(job, w.Job, w.Output); err != nil {
			return fmt.Errorf("condition: %w", err)
		}
	}
	return nil
}

// readable checks that job may read output of producer: Argo resolves
// {{tasks.X...}} only for tasks X the reading task (transitively) depends on.
func (r *workflowRenderer) readable(job *ir.Job, producer, output string) error {
	if !r.dependsOn(job, producer) {
		return fmt.Errorf("reads job %q, which is not among the jobs it needs", producer)
	}
	for _, o := range r.jobs[producer].Outputs {
		if o.Name == output {
			return nil
		}
	}
	return fmt.Errorf("job %q has no output %q", producer, output)
}

// dependsOn searches job's needs, depth first, for target.
func (r *workflowRenderer) dependsOn(job *ir.Job, target string) bool {
	seen := map[string]bool{}
	stack := append([]string{}, job.Needs...)
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if id == target {
			return true
		}
		if !seen[id] {
			seen[id] = true
			stack = append(stack, r.jobs[id].Needs...)
		}
	}
	return false
}

// depends runs a task only after every named task succeeded. Unlike Argo's
// plain `dependencies` (which also proceeds after a skipped task), a job
// whose need was skipped (pull request, rejected approval) is skipped too.
func depends(needs []string) string {
	parts := make([]string, len(needs))
	for i, n := range needs {
		parts[i] = n + ".Succeeded"
	}
	return strings.Join(parts, " && ")
}

// dependsDespiteSkipped also runs after a task skipped by its when (or
// omitted, because one it depends on was), never after a failed one.
func dependsDespiteSkipped(needs []string) string {
	parts := make([]string, len(needs))
	for i, n := range needs {
		parts[i] = "(" + n + ".Succeeded || " + n + ".Skipped || " + n + ".Omitted)"
	}
	return strings.Join(parts, " && ")
}

// conditions are the job's `when` clauses, ANDed by the caller. Values are
// compared as single-quoted strings in Argo's govaluate expressions.
func (r *workflowRenderer) conditions(job *ir.Job) ([]string, error) {
	c := job.Condition
	var when []string
	if len(c.OnlyBranches) > 0 {
		alts := make([]string, len(c.OnlyBranches))
		for i, b := range c.OnlyBranches {
			alts[i] = fmt.Sprintf("'{{workflow.parameters.%s}}' == '%s'", paramBranch, b)
		}
		when = append(when, "("+strings.Join(alts, " || ")+")")
	}
	if w := c.WhenOutput; w != nil {
		when = append(when, fmt.Sprintf("'{{tasks.%s.outputs.parameters.%s}}' == '%s'", w.Job, w.Output, w.Equals))
	}
	return when, nil
}

// The approval decision a suspend node records; anything but approveValue
// (including the default after the timeout) skips the job.
const (
	approveParam = "approve"
	approveValue = "approve"
	rejectValue  = "reject"
)

// approvalTemplate suspends the workflow until a person sets the approve
// parameter (argo node set … --output-parameter approve=approve, then argo
// resume; or the form in the Argo UI). Argo has no approver lists or quorum:
// who may resume is whoever Kubernetes RBAC lets patch Workflows.
func (r *workflowRenderer) approvalTemplate(job *ir.Job) (template, error) {
	a := job.Approval
	name := job.ID + approvalSuffix
	if err := r.claim(name, "the approval of job "+job.ID); err != nil {
		return template{}, err
	}
	desc := "Approve job " + job.ID
	if a.Environment != "" {
		desc += " (environment " + a.Environment + ")"
	}
	if len(a.Approvers) > 0 {
		desc += "; approvers: " + strings.Join(a.Approvers, ", ")
	}
	if a.Timeout > 0 {
		desc += "; rejected automatically after " + a.Timeout.String()
	}
	t := template{
		Name: name,
		Inputs: &templateIO{Parameters: []parameter{{
			Name: approveParam, Default: ptr(rejectValue), Enum: []string{approveValue, rejectValue}, Description: desc,
		}}},
		Outputs: &templateIO{Parameters: []parameter{{
			Name: approveParam, ValueFrom: &valueFrom{Supplied: &struct{}{}, Default: ptr(rejectValue)},
		}}},
		Suspend: &suspend{},
	}
	if a.Timeout > 0 {
		t.Suspend.Duration = a.Timeout.String()
	}
	return t, nil
}

// exitHandler runs the OnFailure steps from the workflow's onExit hook when
// the run did not succeed.
func (r *workflowRenderer) exitHandler() error {
	for _, n := range []string{exitTemplate, failureTemplate} {
		if err := r.claim(n, "the on-failure handler"); err != nil {
			return err
		}
	}
	// The alert also runs when the revision could not be resolved.
	r.revision = revisionParam
	alert, err := r.jobTemplates(&ir.Job{ID: failureTemplate, Steps: r.wf.OnFailure})
	if err != nil {
		return err
	}
	r.templates = append(r.templates,
		template{Name: exitTemplate, Steps: [][]step{{{Name: failureTemplate, Template: failureTemplate, When: "'{{workflow.status}}' != 'Succeeded'"}}}})
	r.templates = append(r.templates, alert...)
	return nil
}
