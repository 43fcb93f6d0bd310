package tekton

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

const (
	// approvalSuffix names the ApprovalTask that gates a job.
	approvalSuffix = "-approval"
	stageLabel     = "mlc.dev/stage"
	// onFailureTask is the finally task running Workflow.OnFailure.
	onFailureTask = "on-failure"
	envAnno       = "mlc.dev/environment"
)

// Pipeline parameters. Whatever starts a run (the PipelineRun templates mlc
// renders, Pipelines-as-Code, Tekton Triggers) may set them: revision
// always; repo when a task clones the repository (it defaults to the
// spec's repository); branch when a job is restricted to branches.
const (
	paramBranch   = "branch"
	paramRepo     = "repo"
	paramRevision = "revision"
	paramBase     = "base"
)

func approvalTaskName(j *ir.Job) string { return j.ID + approvalSuffix }

func approvalEnvironment(j *ir.Job) string { return cmp.Or(j.Approval.Environment, j.Environment) }

func ptr[T any](v T) *T { return &v }

// pipeline renders one workflow as a tekton.dev/v1 Pipeline whose tasks
// embed their specs, so the file is self-contained.
func (r *renderer) pipeline(w *ir.Workflow) (object, error) {
	spec := pipelineSpec{Description: w.Description, Params: r.pipelineParams(w)}
	if slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return j.Workspace }) {
		spec.Workspaces = []workspaceDecl{{Name: workspaceName, Description: "Scratch space each task clones the repository into."}}
	}
	var first []string // what tasks without needs run after
	if w.Concurrency != "" {
		spec.Tasks = append(spec.Tasks, r.queueTask(w))
		first = []string{queueTask}
	}
	if needsCheckout(w) {
		spec.Tasks = append(spec.Tasks, revisionTask(r.p))
	}
	whens := map[string][]whenExpression{}
	for _, j := range w.Jobs {
		whens[j.ID] = r.jobWhen(j, whens)
		needs := j.Needs
		if len(needs) == 0 {
			needs = first
		}
		if j.Approval != nil {
			// A copy: the job's own list grows (and is sorted in place) below.
			spec.Tasks = append(spec.Tasks, r.approvalTask(j, needs, slices.Clone(whens[j.ID])))
			needs = append(slices.Clone(j.Needs), approvalTaskName(j))
			// Jobs needing this one inherit the decision, so they are
			// skipped too when it is refused.
			whens[j.ID] = append(whens[j.ID], whenExpression{Input: resultRef(approvalTaskName(j), decisionResult), Operator: "in", Values: []string{approveDecision}})
			slices.SortFunc(whens[j.ID], compareWhen)
		}
		t, err := r.jobTask(j, needs, whens[j.ID], revisionOf(w))
		if err != nil {
			return object{}, fmt.Errorf("tekton: workflow %q job %q: %w", w.Name, j.ID, err)
		}
		spec.Tasks = append(spec.Tasks, t)
	}
	if len(w.OnFailure) > 0 {
		t, err := r.onFailureTask(w)
		if err != nil {
			return object{}, fmt.Errorf("tekton: workflow %q on failure: %w", w.Name, err)
		}
		spec.Finally = []pipelineTask{t}
	}
	return object{
		APIVersion: "tekton.dev/v1",
		Kind:       "Pipeline",
		Metadata:   r.meta(w.Name),
		Spec:       spec,
	}, nil
}

func (r *renderer) pipelineParams(w *ir.Workflow) []paramSpec {
	var params []paramSpec
	if slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return len(j.Condition.OnlyBranches) > 0 }) {
		params = append(params, paramSpec{Name: paramBranch, Type: "string", Description: "Branch the run builds; conditions on branches test it.", Default: ptr(kube.DefaultBranch(w))})
	}
	if slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return j.Workspace }) {
		repo := paramSpec{Name: paramRepo, Type: "string", Description: "Git URL of the repository tasks clone (the spec's repository)."}
		if r.p.Repository != "" {
			repo.Default = ptr(r.p.Repository)
		} else {
			repo.Description = "Git URL of the repository tasks clone; required, as the spec sets no repository."
		}
		params = append(params, repo)
	}
	params = append(params, paramSpec{Name: paramRevision, Type: "string", Description: "Commit (or branch) to check out; jobs see it as MLC_REVISION.", Default: ptr(kube.DefaultRevision(w))})
	if slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return j.History }) {
		params = append(params, paramSpec{Name: paramBase, Type: "string", Description: "Commit the pushed change went on (a push event's before), so that only the stages it reaches run; empty: every stage runs.", Default: ptr("")})
	}
	return params
}

// jobWhen is the job's own condition plus those of every job it needs. A
// GitHub job is skipped when a job it needs was skipped; a Tekton task is
// not (only its when expressions guard it), so conditions are inherited to
// keep the same behaviour on both engines, except by a job that runs
// despite skipped needs (ir.Condition.DespiteSkipped).
func (r *renderer) jobWhen(j *ir.Job, known map[string][]whenExpression) []whenExpression {
	var out []whenExpression
	if len(j.Condition.OnlyBranches) > 0 {
		out = append(out, whenExpression{Input: "$(params." + paramBranch + ")", Operator: "in", Values: j.Condition.OnlyBranches})
	}
	if w := j.Condition.WhenOutput; w != nil {
		out = append(out, whenExpression{Input: resultRef(w.Job, w.Output), Operator: "in", Values: []string{w.Equals}})
	}
	for _, need := range j.Needs {
		if !j.Condition.DespiteSkipped {
			out = append(out, known[need]...)
		}
	}
	slices.SortFunc(out, compareWhen)
	return slices.CompactFunc(out, func(a, b whenExpression) bool { return compareWhen(a, b) == 0 })
}

func compareWhen(a, b whenExpression) int {
	return cmp.Or(
		strings.Compare(a.Input, b.Input),
		strings.Compare(a.Operator, b.Operator),
		slices.Compare(a.Values, b.Values),
	)
}

func resultRef(task, result string) string {
	return "$(tasks." + task + ".results." + result + ")"
}

func (r *renderer) jobTask(j *ir.Job, runAfter []string, when []whenExpression, revision string) (pipelineTask, error) {
	steps, volumes, err := r.jobSteps(j)
	if err != nil {
		return pipelineTask{}, err
	}
	env, err := envVars(j, j.Env)
	if err != nil {
		return pipelineTask{}, err
	}
	ts := &embeddedTask{
		Params:  []paramSpec{{Name: "MLC_REVISION", Type: "string"}},
		Volumes: volumes,
		Steps:   steps,
	}
	if j.Stage != "" || j.Environment != "" {
		ts.Metadata = &taskMetadata{}
	}
	if j.Stage != "" {
		ts.Metadata.Labels = map[string]string{stageLabel: string(j.Stage)}
	}
	if j.Environment != "" {
		ts.Metadata.Annotations = map[string]string{envAnno: j.Environment}
	}
	env = append(env, kube.EnvVar{Name: "MLC_REVISION", Value: "$(params.MLC_REVISION)"})
	if j.History {
		// The revision parameter before it was resolved: a branch, or a
		// commit, which mlc version takes for no branch.
		ts.Params = append(ts.Params, paramSpec{Name: "MLC_BRANCH", Type: "string"}, paramSpec{Name: "MLC_BASE", Type: "string"})
		env = append(env, kube.EnvVar{Name: "MLC_BRANCH", Value: "$(params.MLC_BRANCH)"}, kube.EnvVar{Name: "MLC_BASE", Value: "$(params.MLC_BASE)"})
	}
	t := pipelineTask{
		Name:        j.ID,
		DisplayName: j.Name,
		TaskSpec:    ts,
		When:        when,
		RunAfter:    runAfter,
		Retries:     j.Retries,
		Timeout:     taskTimeout(j.Timeout),
		Params:      []param{{Name: "MLC_REVISION", Value: revision}},
	}
	if j.History {
		t.Params = append(t.Params, param{Name: "MLC_BRANCH", Value: "$(params." + paramRevision + ")"}, param{Name: "MLC_BASE", Value: "$(params." + paramBase + ")"})
	}
	for _, in := range j.Inputs {
		ts.Params = append(ts.Params, paramSpec{Name: in.Env, Type: "string", Description: "Output " + in.Output + " of " + in.Job + "."})
		t.Params = append(t.Params, param{Name: in.Env, Value: resultRef(in.Job, in.Output)})
		env = append(env, kube.EnvVar{Name: in.Env, Value: "$(params." + in.Env + ")"})
	}
	if j.Workspace {
		env = append(env, trustCheckout...)
	}
	slices.SortFunc(env, func(a, b kube.EnvVar) int { return strings.Compare(a.Name, b.Name) })
	ts.StepTemplate = &stepTemplate{Env: env}
	for _, o := range j.Outputs {
		ts.Results = append(ts.Results, result{Name: o.Name, Type: "string", Description: fmt.Sprintf("%s %s from step %s.", o.Kind, o.Name, o.FromStep)})
	}
	if j.Workspace {
		ts.Workspaces = []workspaceDecl{{Name: workspaceName}}
		t.Workspaces = []workspaceBinding{{Name: workspaceName, Workspace: workspaceName}}
		ts.Params = append(ts.Params, paramSpec{Name: "MLC_REPO_URL", Type: "string"})
		t.Params = append(t.Params, param{Name: "MLC_REPO_URL", Value: "$(params." + paramRepo + ")"})
	}
	return t, nil
}

// onFailureTask runs the workflow's alert steps in `finally` when a task
// failed. The steps have no job image, so scripts run in the mlc image.
func (r *renderer) onFailureTask(w *ir.Workflow) (pipelineTask, error) {
	j := &ir.Job{ID: onFailureTask, Image: r.p.MLCImage, Steps: w.OnFailure}
	steps, volumes, err := r.jobSteps(j)
	if err != nil {
		return pipelineTask{}, err
	}
	return pipelineTask{
		Name:        onFailureTask,
		DisplayName: "Alert on failure",
		Timeout:     taskTimeout(0),
		TaskSpec:    &embeddedTask{Volumes: volumes, Steps: steps},
		When:        []whenExpression{{Input: "$(tasks.status)", Operator: "in", Values: []string{"Failed"}}},
	}, nil
}
