// Package tekton renders the IR as Tekton Pipelines v1 manifests: per
// workflow a Pipeline with embedded task specs, the objects that start it
// on schedule or from another workflow, and a PipelineRun template for
// manual starts. docs/tekton.md explains the design.
package tekton

import (
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// Target renders for Tekton.
type Target struct{}

var _ targets.Target = Target{}

// Name implements targets.Target.
func (Target) Name() string { return "tekton" }

// DefaultDir implements targets.Target.
func (Target) DefaultDir() string { return "tekton" }

// Engine: Tekton substitutes $(...) in every step field, parameter and
// when-expression, and Kubernetes expands $(VAR) in commands and args.
func (Target) Engine() ir.Engine {
	return ir.Engine{Name: "tekton", MLCImage: true, MaxScheduleName: kube.MaxScheduleName, Check: check, Reserved: []ir.Reserved{{Seq: "$(", Engine: "Tekton variable substitution",
		Hint: "use ${NAME} for variables or backticks for command substitution"}}}
}

// renderer holds what rendering one workflow needs to know about the rest
// of the pipeline.
type renderer struct {
	p         *ir.Pipeline
	workflows map[string]bool // names of the pipeline's workflows
}

// Render implements targets.Target. Each workflow becomes <workflow>.yaml
// (apply it) and runs/<workflow>.yaml (create it, with the run's params, to
// start a run). Files are sorted by path.
func (Target) Render(p *ir.Pipeline) ([]targets.File, error) {
	if err := (Target{}).Engine().Verify(p); err != nil {
		return nil, err
	}
	r := &renderer{p: p, workflows: map[string]bool{}}
	triggered := map[string]bool{}
	for _, w := range p.Workflows {
		r.workflows[w.Name] = true
		for _, s := range append(allSteps(w), w.OnFailure...) {
			if s.Kind == ir.StepTrigger {
				for _, t := range s.Triggers {
					triggered[t] = true
				}
			}
		}
	}
	pairs, err := targets.ForEach(len(p.Workflows), func(i int) ([2]targets.File, error) {
		w := p.Workflows[i]
		pipeline, err := r.pipeline(w)
		if err != nil {
			return [2]targets.File{}, err
		}
		start, err := r.startObjects(w, triggered[w.Name])
		if err != nil {
			return [2]targets.File{}, err
		}
		objs := append(append([]any{pipeline, kube.Tokenless(r.meta(stepsAccount(w.Name)))}, r.queueObjects(w)...), start...)
		data, err := kube.File(p, objs...)
		if err != nil {
			return [2]targets.File{}, err
		}
		// Every workflow gets its run template: the per-task
		// ServiceAccounts and GPU placement live in its taskRunSpecs, which
		// a run started otherwise (tkn pipeline start, a Pipelines-as-Code
		// PipelineRun written by hand) would lack.
		run, err := kube.File(p, r.pipelineRun(w, runEvent(w)))
		if err != nil {
			return [2]targets.File{}, err
		}
		return [2]targets.File{{Path: w.Name + ".yaml", Data: data}, {Path: "runs/" + w.Name + ".yaml", Data: run}}, nil
	})
	if err != nil {
		return nil, err
	}
	// Workflows are sorted by name, so both lists are sorted; "runs/" sorts
	// after every workflow file name, which cannot hold a '/'.
	files := make([]targets.File, 2*len(pairs))
	for i, pair := range pairs {
		files[i], files[len(pairs)+i] = pair[0], pair[1]
	}
	return files, nil
}

// runEvent labels the run template with how the workflow is started.
func runEvent(w *ir.Workflow) string {
	switch {
	case w.Triggers.Manual:
		return "manual"
	case w.Triggers.PullRequest != nil:
		return "pull-request"
	case w.Triggers.Push != nil:
		return "push"
	}
	return "schedule"
}

func allSteps(w *ir.Workflow) []ir.Step {
	var steps []ir.Step
	for _, j := range w.Jobs {
		steps = append(steps, j.Steps...)
	}
	return steps
}

func (r *renderer) meta(name string) kube.ObjectMeta {
	return kube.ObjectMeta{Name: name, Labels: kube.Labels(r.p.Name)}
}
