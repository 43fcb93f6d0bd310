package argo

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// Volumes of a job pod.
const (
	mlcVolume       = "mlc"
	workspaceVolume = "workspace"
	registryVolume  = "registry"
)

// jobTemplates renders a job; the first template returned is named like
// the job. A job without trigger steps is one pod (containerTemplate); a
// trigger step becomes a resource template that a step runs once per
// workflow it starts (withItems), so a job with one is a steps template
// running its parts in order, each part a pod or a resource template of
// its own.
func (r *workflowRenderer) jobTemplates(job *ir.Job) ([]template, error) {
	if len(job.Steps) == 0 {
		return nil, fmt.Errorf("has no steps")
	}
	parts := splitAtTriggers(job.Steps)
	if len(parts) == 1 && parts[0][0].Kind != ir.StepTrigger {
		t, err := r.partTemplate(job.ID, job)
		return []template{t}, err
	}
	return r.sequenceTemplates(job, parts)
}

// sequenceTemplates renders a job split into parts: a steps template named
// like the job that runs the parts in order, passes the job's inputs to
// each pod and takes each output from the part that produces it.
func (r *workflowRenderer) sequenceTemplates(job *ir.Job, parts [][]ir.Step) ([]template, error) {
	seq := template{Name: job.ID}
	if len(job.Inputs) > 0 {
		seq.Inputs = &templateIO{}
	}
	var passInputs []parameter
	for _, in := range job.Inputs {
		seq.Inputs.Parameters = append(seq.Inputs.Parameters, parameter{Name: in.Name})
		passInputs = append(passInputs, parameter{Name: in.Name, Value: ptr("{{inputs.parameters." + in.Name + "}}")})
	}
	tmpls := []template{seq}
	for _, part := range parts {
		name := job.ID + "-" + part[0].ID
		if err := r.claim(name, "a part of job "+job.ID); err != nil {
			return nil, err
		}
		sub := *job
		sub.Steps = part
		sub.Outputs = nil
		for _, o := range job.Outputs {
			if slices.ContainsFunc(part, func(s ir.Step) bool { return s.ID == o.FromStep }) {
				sub.Outputs = append(sub.Outputs, o)
				if tmpls[0].Outputs == nil {
					tmpls[0].Outputs = &templateIO{}
				}
				tmpls[0].Outputs.Parameters = append(tmpls[0].Outputs.Parameters, parameter{
					Name: o.Name, ValueFrom: &valueFrom{Parameter: "{{steps." + name + ".outputs.parameters." + o.Name + "}}"},
				})
			}
		}
		st := step{Name: name, Template: name}
		if part[0].Kind == ir.StepTrigger {
			sub.Inputs = nil
			st.WithItems = part[0].Triggers
			st.Arguments = &arguments{Parameters: []parameter{{Name: paramWorkflow, Value: ptr("{{item}}")}}}
		} else if len(passInputs) > 0 {
			st.Arguments = &arguments{Parameters: passInputs}
		}
		t, err := r.partTemplate(name, &sub)
		if err != nil {
			return nil, err
		}
		tmpls[0].Steps = append(tmpls[0].Steps, []step{st})
		tmpls = append(tmpls, t)
	}
	return tmpls, nil
}

// splitAtTriggers cuts steps into runs of pod steps and single trigger steps.
func splitAtTriggers(steps []ir.Step) [][]ir.Step {
	var parts [][]ir.Step
	for i, s := range steps {
		if s.Kind == ir.StepTrigger || i == 0 || steps[i-1].Kind == ir.StepTrigger {
			parts = append(parts, nil)
		}
		parts[len(parts)-1] = append(parts[len(parts)-1], s)
	}
	return parts
}

// partTemplate renders steps that run together: one trigger step as a
// resource template, or a pod.
func (r *workflowRenderer) partTemplate(name string, job *ir.Job) (template, error) {
	if job.Steps[0].Kind == ir.StepTrigger {
		return r.triggerTemplate(name, job)
	}
	return r.containerTemplate(name, job)
}

// containerTemplate runs a job's steps in one pod as an Argo container set:
// one container per step, in the step's own image (mlc steps in the mlc
// image, scripts in the job's image, builds in the builder image) with only
// that step's env and secrets, each started after the previous one; they
// share the workspace and /mlc volumes. The last container, main, collects
// the job's output parameters.
func (r *workflowRenderer) containerTemplate(name string, job *ir.Job) (template, error) {
	inputEnv := map[string]string{}
	inputs := make([]parameter, 0, len(job.Inputs))
	for _, in := range job.Inputs {
		inputEnv[in.Name] = in.Env
		inputs = append(inputs, parameter{Name: in.Name})
	}
	holder, _ := kube.ResourceHolder(job)                // check reported an error
	containers := make([]container, 0, len(job.Steps)+1) // and main
	for i, s := range job.Steps {
		c, err := r.stepContainer(job, s, inputEnv)
		if err != nil {
			return template{}, fmt.Errorf("step %s: %w", s.ID, err)
		}
		if i > 0 {
			c.Dependencies = []string{job.Steps[i-1].ID}
		}
		if i == holder {
			c.Resources = kube.Resources(job.Resources)
		}
		containers = append(containers, c)
	}
	outs, err := jobOutputs(job)
	if err != nil {
		return template{}, err
	}
	containers = append(containers, container{
		Container:    kube.Container{Name: "main", Image: r.p.MLCImage, Command: []string{"sh", "-ec", collectScript(job.Outputs)}},
		Dependencies: []string{job.Steps[len(job.Steps)-1].ID},
	})
	t := template{
		Name: name,
		Volumes: append(podVolumes(),
			// Registry credentials for mlc push and BuildKit, in the
			// Docker config format both read through DOCKER_CONFIG.
			kube.Volume{Name: registryVolume, Secret: &kube.SecretVolume{
				SecretName: r.p.Name + "-registry", Optional: true,
				Items: []kube.KeyToPath{{Key: ".dockerconfigjson", Path: "config.json"}},
			}},
		),
		ContainerSet:    &containerSet{VolumeMounts: podMounts(), Containers: containers},
		SecurityContext: kube.JobPodSecurity(),
	}
	if len(inputs) > 0 || job.Workspace {
		t.Inputs = &templateIO{Parameters: inputs}
	}
	if job.Workspace {
		t.Inputs.Artifacts = []artifact{r.checkout(r.revision, job.History)}
	}
	if len(outs) > 0 {
		t.Outputs = &templateIO{Parameters: outs}
	}
	if job.Environment != "" {
		t.Metadata = &podMeta{Annotations: map[string]string{"mlc.dev/environment": job.Environment}}
	}
	t.Tolerations, t.NodeSelector = kube.GPUPlacement(job.Resources)
	applyLimits(&t, job)
	return t, nil
}

// stepContainer is one step's container.
func (r *workflowRenderer) stepContainer(job *ir.Job, s ir.Step, inputEnv map[string]string) (container, error) {
	fromSteps, err := kube.StepOutputEnv(job, s, stepOutputFile)
	if err != nil {
		return container{}, err
	}
	script, err := stepScript(s, job.Workspace, inputEnv, fromSteps)
	if err != nil {
		return container{}, err
	}
	dir := workspaceDir
	if job.Workspace {
		dir = checkoutDir
	}
	c := container{Container: kube.Container{Name: s.ID, Image: r.p.MLCImage, Command: []string{"sh", "-ec", script}, WorkingDir: dir}}
	// Registry credentials go to the steps that push (mlc, BuildKit), never
	// to user scripts.
	extra := []kube.EnvVar{{Name: "DOCKER_CONFIG", Value: registryDir}}
	c.VolumeMounts = []kube.VolumeMount{{Name: registryVolume, MountPath: registryDir, ReadOnly: true}}
	switch s.Kind {
	case ir.StepScript:
		if job.Image != "" {
			c.Image = job.Image
		}
		extra = []kube.EnvVar{{Name: "MLC_SCRIPT", Value: kube.Literal(s.Script)}}
		c.VolumeMounts = nil
	case ir.StepBuildImage:
		c.Image = cmp.Or(r.p.Helpers.BuildKit, kube.BuildKitImage)
		var flags kube.EnvVar
		flags, c.SecurityContext = kube.RootlessBuildKit()
		extra = append(extra, flags)
	}
	c.Env, err = r.stepEnv(job, s, extra)
	return c, err
}

// reserved env vars are set by the target itself.
var reserved = map[string]bool{"MLC_REVISION": true, "MLC_BRANCH": true, "MLC_BASE": true, "MLC_OUTPUT": true, "MLC_SCRIPT": true, "DOCKER_CONFIG": true, "BUILDKITD_FLAGS": true}

// stepEnv is a step container's environment: the revision and its output
// file, the job's env and inputs, the step's env (which wins over the
// job's), then extra (what the step kind needs), then the step's own
// secrets by reference.
func (r *workflowRenderer) stepEnv(job *ir.Job, s ir.Step, extra []kube.EnvVar) ([]kube.EnvVar, error) {
	var env []kube.EnvVar
	set := func(e kube.EnvVar) {
		if i := slices.IndexFunc(env, func(x kube.EnvVar) bool { return x.Name == e.Name }); i >= 0 {
			env[i] = e
			return
		}
		env = append(env, e)
	}
	set(kube.EnvVar{Name: "MLC_REVISION", Value: r.revision})
	if job.History {
		// The revision parameter before it was resolved: a branch, HEAD or
		// a commit, the last two of which mlc version takes for no branch.
		set(kube.EnvVar{Name: "MLC_BRANCH", Value: revisionParam})
		set(kube.EnvVar{Name: "MLC_BASE", Value: "{{workflow.parameters." + paramBase + "}}"})
	}
	set(kube.EnvVar{Name: "MLC_OUTPUT", Value: stepOutputFile(s.ID)})
	for _, e := range job.Env {
		v, err := userEnv(job, e)
		if err != nil {
			return nil, err
		}
		set(v)
	}
	for _, in := range job.Inputs {
		set(kube.EnvVar{Name: in.Env, Value: "{{inputs.parameters." + in.Name + "}}"})
	}
	for _, e := range s.Env {
		if e.FromStep != "" {
			continue // set by the step's script (kube.StepOutputEnv)
		}
		v, err := userEnv(job, e)
		if err != nil {
			return nil, err
		}
		set(v)
	}
	for _, e := range extra {
		set(e)
	}
	for _, name := range s.Secrets {
		if slices.ContainsFunc(env, func(x kube.EnvVar) bool { return x.Name == name }) {
			return nil, fmt.Errorf("secret %s has the name of an env var of the step; rename one", name)
		}
		env = append(env, kube.SecretEnv(r.p.Name, name))
	}
	return env, nil
}

// userEnv is a job or step env var: a literal (escaped for the kubelet) or
// the value of one of the job's inputs.
func userEnv(job *ir.Job, e ir.EnvVar) (kube.EnvVar, error) {
	if e.FromInput == "" {
		return kube.EnvVar{Name: e.Name, Value: kube.Literal(e.Value)}, nil
	}
	if !slices.ContainsFunc(job.Inputs, func(in ir.Input) bool { return in.Name == e.FromInput }) {
		return kube.EnvVar{}, fmt.Errorf("env %s: unknown input %q", e.Name, e.FromInput)
	}
	return kube.EnvVar{Name: e.Name, Value: "{{inputs.parameters." + e.FromInput + "}}"}, nil
}

// applyLimits maps retries and the timeout (rounded up to whole seconds).
func applyLimits(t *template, job *ir.Job) {
	if job.Retries > 0 {
		t.RetryStrategy = &retryStrategy{Limit: job.Retries}
	}
	if job.Timeout > 0 {
		t.ActiveDeadlineSeconds = int64((job.Timeout + time.Second - 1) / time.Second)
	}
}

// jobOutputs are output parameters read from the files main writes.
func jobOutputs(job *ir.Job) ([]parameter, error) {
	var params []parameter
	for _, o := range job.Outputs {
		if !slices.ContainsFunc(job.Steps, func(s ir.Step) bool { return s.ID == o.FromStep }) {
			return nil, fmt.Errorf("output %s: no step %q in the job", o.Name, o.FromStep)
		}
		if slices.ContainsFunc(params, func(p parameter) bool { return p.Name == o.Name }) {
			return nil, fmt.Errorf("output %s is declared twice", o.Name)
		}
		params = append(params, parameter{Name: o.Name, ValueFrom: &valueFrom{Path: jobOutputFile(o.Name)}})
	}
	return params, nil
}

// paramWorkflow is the trigger template's input: the WorkflowTemplate a
// Workflow is created from.
const paramWorkflow = "workflow"

// triggerTemplate creates a Workflow from another WorkflowTemplate of the
// pipeline, the one its input names, passing on the revision and
// repository; the started workflow keeps its own default branch, so its
// branch-restricted jobs run as on a scheduled start.
func (r *workflowRenderer) triggerTemplate(name string, job *ir.Job) (template, error) {
	targets := job.Steps[0].Triggers
	if len(targets) == 0 {
		return template{}, fmt.Errorf("trigger step %s starts no workflow", job.Steps[0].ID)
	}
	for _, target := range targets {
		if !slices.ContainsFunc(r.p.Workflows, func(w *ir.Workflow) bool { return w.Name == target }) {
			return template{}, fmt.Errorf("trigger step: %q is not a workflow of this pipeline", target)
		}
	}
	target := "{{inputs.parameters." + paramWorkflow + "}}"
	if len(job.Outputs) > 0 || len(job.Inputs) > 0 {
		return template{}, fmt.Errorf("a trigger job cannot have inputs or outputs on argo (its only step creates a Workflow)")
	}
	// The started run builds the commit this one resolved.
	pass := func(name, value string) parameter { return parameter{Name: name, Value: ptr(value)} }
	manifest, err := kube.Document(workflow{
		APIVersion: argoAPI,
		Kind:       "Workflow",
		Metadata:   kube.ObjectMeta{GenerateName: target + "-", Labels: kube.Labels(r.p.Name)},
		Spec: workflowSpec{
			WorkflowTemplateRef: &templateRef{Name: target},
			Arguments: &arguments{Parameters: []parameter{
				pass(paramRevision, r.revision), pass(paramRepo, "{{workflow.parameters."+paramRepo+"}}"),
			}},
		},
	})
	if err != nil {
		return template{}, err
	}
	r.createsWorkflows = true
	t := template{Name: name, Inputs: &templateIO{Parameters: []parameter{{Name: paramWorkflow}}}, Resource: &resource{Action: "create", Manifest: manifest}}
	applyLimits(&t, job)
	return t, nil
}
