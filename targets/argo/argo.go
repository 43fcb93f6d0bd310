// Package argo renders the IR as Argo Workflows manifests: per workflow one
// file holding its RBAC, a WorkflowTemplate with a DAG of jobs, and a
// CronWorkflow per schedule. docs/argo.md explains the design.
package argo

import (
	"fmt"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// Target is the Argo Workflows renderer.
type Target struct{}

var _ targets.Target = Target{}

// Name is the --target value.
func (Target) Name() string { return "argo" }

// DefaultDir is where files go without --out.
func (Target) DefaultDir() string { return "argo" }

// Engine: Argo substitutes {{...}} everywhere in a template: scripts,
// env values and arguments.
func (Target) Engine() ir.Engine {
	return ir.Engine{Name: "argo", MLCImage: true, MaxScheduleName: kube.MaxScheduleName, Check: check, Reserved: []ir.Reserved{{Seq: "{{", Engine: "Argo template expression",
		Hint: "remove it, or read the text from a file the step is given"}}}
}

// Render returns one <workflow>.yaml per workflow, sorted by path (the IR
// keeps workflows sorted by name).
func (Target) Render(p *ir.Pipeline) ([]targets.File, error) {
	if err := (Target{}).Engine().Verify(p); err != nil {
		return nil, err
	}
	return targets.ForEach(len(p.Workflows), func(i int) (targets.File, error) {
		wf := p.Workflows[i]
		docs, err := renderWorkflow(p, wf)
		if err != nil {
			return targets.File{}, fmt.Errorf("argo: workflow %s: %w", wf.Name, err)
		}
		data, err := kube.File(p, docs...)
		if err != nil {
			return targets.File{}, fmt.Errorf("argo: workflow %s: %w", wf.Name, err)
		}
		return targets.File{Path: wf.Name + ".yaml", Data: data}, nil
	})
}

// Names of the templates mlc adds next to the jobs' own.
const (
	dagTemplate     = "dag"
	exitTemplate    = "exit-handler"
	failureTemplate = "on-failure"
	approvalSuffix  = "-approval"
)

// Workflow parameters; the submitter (a person, a CronWorkflow, an Argo
// Events sensor, a trigger step) may set them.
const (
	paramRevision = "revision" // commit to build, MLC_REVISION
	paramBranch   = "branch"   // branch the run is for, declared when a job is restricted to branches
	paramRepo     = "repo"     // git URL checked out for jobs with a workspace
	paramBase     = "base"     // commit a pushed change went on, for mlc affected; empty: every stage runs
)

func renderWorkflow(p *ir.Pipeline, wf *ir.Workflow) ([]any, error) {
	r := newWorkflowRenderer(p, wf)
	spec, err := r.templateSpec()
	if err != nil {
		return nil, err
	}
	meta := kube.ObjectMeta{Name: wf.Name, Labels: kube.Labels(p.Name), Annotations: triggerAnnotations(wf)}
	docs := r.rbac()
	docs = append(docs, workflowTemplate{APIVersion: argoAPI, Kind: "WorkflowTemplate", Metadata: meta, Spec: spec})
	for _, s := range wf.Triggers.Schedules {
		cron, err := cronFor(p, wf, s)
		if err != nil {
			return nil, err
		}
		docs = append(docs, cron)
	}
	return docs, nil
}

// triggerAnnotations record the git triggers, which Argo Workflows has no
// object for: whatever submits runs on push or pull request (an Argo Events
// sensor, a webhook) reads them and sets the revision (and branch) parameters.
func triggerAnnotations(wf *ir.Workflow) map[string]string {
	a := map[string]string{}
	if wf.Description != "" {
		a["workflows.argoproj.io/description"] = wf.Description
	}
	if t := wf.Triggers.Push; t != nil {
		a["mlc.dev/on-push-branches"] = branchList(t)
		if len(t.Tags) > 0 {
			a["mlc.dev/on-push-tags"] = strings.Join(t.Tags, ",")
		}
	}
	if t := wf.Triggers.PullRequest; t != nil {
		a["mlc.dev/on-pull-request-branches"] = branchList(t)
	}
	if wf.Triggers.Manual {
		a["mlc.dev/manual"] = "true"
	}
	if len(a) == 0 {
		return nil
	}
	return a
}

func branchList(f *ir.BranchFilter) string {
	if len(f.Branches) == 0 {
		return "*"
	}
	return strings.Join(f.Branches, ",")
}

// cronFor starts the workflow's template on a schedule. CronWorkflow names
// get a timestamp suffix per run, hence kube.MaxScheduleName.
func cronFor(p *ir.Pipeline, wf *ir.Workflow, s ir.Schedule) (cronWorkflow, error) {
	name := wf.Name + "-" + s.Name // at most kube.MaxScheduleName (check)
	policy := "Allow"
	if wf.CancelInProgress {
		policy = "Replace"
	}
	return cronWorkflow{
		APIVersion: argoAPI,
		Kind:       "CronWorkflow",
		Metadata:   kube.ObjectMeta{Name: name, Labels: kube.Labels(p.Name)},
		Spec: cronWorkflowSpec{
			Schedules:         []string{s.Cron},
			Timezone:          "UTC",
			ConcurrencyPolicy: policy,
			WorkflowSpec: workflowSpec{
				WorkflowTemplateRef: &templateRef{Name: wf.Name},
			},
		},
	}, nil
}

// rbac is the workflow's executor ServiceAccount with the least Argo's
// own containers need (the executor reports outputs through
// workflowtaskresults; a trigger's resource template creates Workflows),
// the Secret holding its token, which Argo mounts into those containers
// only, and the tokenless account the step containers run as: user code
// gets no API token, so it cannot start a Workflow under another account.
func (r *workflowRenderer) rbac() []any {
	meta := kube.ObjectMeta{Name: r.wf.Name, Labels: kube.Labels(r.p.Name)}
	rules := []kube.PolicyRule{{APIGroups: []string{"argoproj.io"}, Resources: []string{"workflowtaskresults"}, Verbs: []string{"create", "patch"}}}
	if r.createsWorkflows {
		rules = append(rules, kube.PolicyRule{APIGroups: []string{"argoproj.io"}, Resources: []string{"workflows"}, Verbs: []string{"create"}})
	}
	steps := kube.ObjectMeta{Name: stepsAccount(r.wf.Name), Labels: kube.Labels(r.p.Name)}
	return append(kube.Account(meta, rules...), kube.TokenSecret(meta), kube.Tokenless(steps))
}

// stepsAccount is the tokenless ServiceAccount step containers run as.
func stepsAccount(workflow string) string { return workflow + "-steps" }

func ptr[T any](v T) *T { return &v }
