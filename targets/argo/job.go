package argo

import (
	"fmt"
	"slices"
	"time"

	"github.com/mlc-project/mlc/ir"
)

// builderImage runs image builds: rootless BuildKit, daemonless through
// buildctl-daemonless.sh, pinned by digest (docs/argo.md says where from).
const builderImage = "docker.io/moby/buildkit:v0.33.0-rootless@sha256:80b15f0735e87bab7bf59ec4d695dfb4a7cfb25521cf56dc75d6f256285b63ef"

// Kubernetes names for GPU scheduling (NVIDIA device plugin and GPU
// feature discovery).
const (
	gpuResource  = "nvidia.com/gpu"
	gpuNodeLabel = "nvidia.com/gpu.product"
)

// Volumes of a job pod.
const (
	mlcVolume      = "mlc"
	registryVolume = "registry"
)

// jobTemplates renders a job; the first template returned is named like
// the job. A job without trigger steps is one pod (containerTemplate); a
// trigger step becomes a resource template, so a job mixing it with other
// steps becomes a steps template running its parts in order, each part a
// pod or a resource template of its own.
func (r *workflowRenderer) jobTemplates(job *ir.Job) ([]template, error) {
	if len(job.Steps) == 0 {
		return nil, fmt.Errorf("has no steps")
	}
	parts := splitAtTriggers(job.Steps)
	if len(parts) == 1 {
		t, err := r.partTemplate(job.ID, job)
		return []template{t}, err
	}
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

// containerTemplate runs the steps of a job in one pod whose main container
// runs them in order (see runner).
func (r *workflowRenderer) containerTemplate(name string, job *ir.Job) (template, error) {
	image, builds := r.jobImage(job)
	if builds && slices.ContainsFunc(job.Steps, func(s ir.Step) bool { return s.Kind == ir.StepScript }) {
		return template{}, fmt.Errorf("runs a user script and builds an image in the same job; argo runs both in one container and the builder image cannot run user scripts: move the build to its own job")
	}
	copyMLC := image != r.p.MLCImage && slices.ContainsFunc(job.Steps, func(s ir.Step) bool { return s.Kind == ir.StepMLC })

	inputEnv := map[string]string{}
	var inputs []parameter
	for _, in := range job.Inputs {
		inputEnv[in.Name] = in.Env
		inputs = append(inputs, parameter{Name: in.Name})
	}
	run, err := newRunner(job, copyMLC, inputEnv)
	if err != nil {
		return template{}, err
	}
	env, err := r.jobEnv(job, run, builds)
	if err != nil {
		return template{}, err
	}

	main := &container{
		Image:   image,
		Command: []string{"sh", "-ec", run.script()},
		Env:     env,
		VolumeMounts: []volumeMount{
			{Name: mlcVolume, MountPath: mlcDir},
			{Name: registryVolume, MountPath: registryDir, ReadOnly: true},
		},
	}
	if builds {
		main.SecurityContext = &securityContext{
			RunAsUser: 1000, RunAsGroup: 1000,
			SeccompProfile:  profileType{Type: "Unconfined"},
			AppArmorProfile: profileType{Type: "Unconfined"},
		}
	}
	t := template{
		Name:      name,
		Container: main,
		Volumes: []volume{
			{Name: mlcVolume, EmptyDir: &struct{}{}},
			// Registry credentials for mlc push and BuildKit, in the
			// Docker config format both read through DOCKER_CONFIG.
			{Name: registryVolume, Secret: &secretVolume{
				SecretName: r.p.Name + "-registry", Optional: true,
				Items: []keyToPath{{Key: ".dockerconfigjson", Path: "config.json"}},
			}},
		},
	}
	if copyMLC {
		t.InitContainers = []container{{
			Name:         "mlc-install",
			Image:        r.p.MLCImage,
			Command:      []string{"sh", "-ec", kubeLiteral(`mkdir -p ` + mlcBinDir + ` && cp "$(command -v mlc)" ` + mlcBinDir + `/mlc`)},
			VolumeMounts: []volumeMount{{Name: mlcVolume, MountPath: mlcDir}},
		}}
	}
	if len(inputs) > 0 || job.Workspace {
		t.Inputs = &templateIO{Parameters: inputs}
	}
	if job.Workspace {
		t.Inputs.Artifacts = []artifact{{
			Name: "workspace", Path: workspaceDir,
			Git: &gitArtifact{Repo: "{{workflow.parameters." + paramRepo + "}}", Revision: "{{workflow.parameters." + paramRevision + "}}", Depth: 1},
		}}
	}
	if outs, err := jobOutputs(job); err != nil {
		return template{}, err
	} else if len(outs) > 0 {
		t.Outputs = &templateIO{Parameters: outs}
	}
	if job.Environment != "" {
		t.Metadata = &podMeta{Annotations: map[string]string{"mlc.dev/environment": job.Environment}}
	}
	applyResources(&t, job.Resources)
	applyLimits(&t, job)
	return t, nil
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

// jobImage picks the main container's image: the builder for image builds,
// else the job's image for its scripts, else the mlc image.
func (r *workflowRenderer) jobImage(job *ir.Job) (image string, builds bool) {
	if slices.ContainsFunc(job.Steps, func(s ir.Step) bool { return s.Kind == ir.StepBuildImage }) {
		return builderImage, true
	}
	if job.Image != "" {
		return job.Image, false
	}
	return r.p.MLCImage, false
}

// jobEnv is the main container's environment: the revision, literal and
// input-bound job env, input digests, secrets by reference, step scripts.
func (r *workflowRenderer) jobEnv(job *ir.Job, run *runner, builds bool) ([]envVar, error) {
	env := []envVar{{Name: "MLC_REVISION", Value: "{{workflow.parameters." + paramRevision + "}}"}}
	for _, e := range job.Env {
		v := kubeLiteral(e.Value)
		if e.FromInput != "" {
			if !slices.ContainsFunc(job.Inputs, func(in ir.Input) bool { return in.Name == e.FromInput }) {
				return nil, fmt.Errorf("env %s: unknown input %q", e.Name, e.FromInput)
			}
			v = "{{inputs.parameters." + e.FromInput + "}}"
		}
		env = append(env, envVar{Name: e.Name, Value: v})
	}
	for _, in := range job.Inputs {
		env = append(env, envVar{Name: in.Env, Value: "{{inputs.parameters." + in.Name + "}}"})
	}
	for _, s := range job.Secrets {
		env = append(env, envVar{Name: s, ValueFrom: &envSource{SecretKeyRef: &keySelector{Name: r.p.Name, Key: s}}})
	}
	env = append(env, run.env...)
	env = append(env, envVar{Name: "DOCKER_CONFIG", Value: registryDir})
	if builds {
		// Rootless BuildKit without a process sandbox runs in an
		// unprivileged pod (no nested PID namespace needed).
		env = append(env, envVar{Name: "BUILDKITD_FLAGS", Value: "--oci-worker-no-process-sandbox"})
	}
	seen := map[string]bool{}
	for _, e := range env {
		if err := checkEnvName(e.Name); err != nil {
			return nil, err
		}
		if seen[e.Name] {
			return nil, fmt.Errorf("env var %s is set twice (job env, input, secret or an mlc variable); rename one", e.Name)
		}
		seen[e.Name] = true
	}
	return env, nil
}

// jobOutputs are output parameters read from the files the runner writes.
func jobOutputs(job *ir.Job) ([]parameter, error) {
	var params []parameter
	for _, o := range job.Outputs {
		if err := checkName("output", o.Name); err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(job.Steps, func(s ir.Step) bool { return s.ID == o.FromStep }) {
			return nil, fmt.Errorf("output %s: no step %q in the job", o.Name, o.FromStep)
		}
		if slices.ContainsFunc(params, func(p parameter) bool { return p.Name == o.Name }) {
			return nil, fmt.Errorf("output %s is declared twice", o.Name)
		}
		params = append(params, parameter{Name: o.Name, ValueFrom: &valueFrom{Path: jobOutDir + "/" + o.Name}})
	}
	return params, nil
}

// applyResources sets requests (what the scheduler reserves), a memory
// limit, and for GPUs the device-plugin limit, the node selector and the
// toleration GPU pools are usually tainted with.
func applyResources(t *template, res ir.Resources) {
	req, lim := map[string]string{}, map[string]string{}
	if res.CPU != "" {
		req["cpu"] = res.CPU
	}
	if res.Memory != "" {
		req["memory"] = res.Memory
		lim["memory"] = res.Memory
	}
	if res.GPU > 0 {
		lim[gpuResource] = fmt.Sprint(res.GPU)
		t.Tolerations = []toleration{{Key: gpuResource, Operator: "Exists", Effect: "NoSchedule"}}
		if res.GPUType != "" {
			t.NodeSelector = map[string]string{gpuNodeLabel: res.GPUType}
		}
	}
	if len(req) == 0 && len(lim) == 0 {
		return
	}
	rs := &resources{}
	if len(req) > 0 {
		rs.Requests = req
	}
	if len(lim) > 0 {
		rs.Limits = lim
	}
	t.Container.Resources = rs
}

// triggerTemplate creates a Workflow from another WorkflowTemplate of the
// pipeline, passing on the revision and repository; the started workflow
// keeps its own default branch, so its branch-restricted jobs run as on a
// scheduled start.
func (r *workflowRenderer) triggerTemplate(name string, job *ir.Job) (template, error) {
	target := job.Steps[0].Trigger
	if !slices.ContainsFunc(r.p.Workflows, func(w *ir.Workflow) bool { return w.Name == target }) {
		return template{}, fmt.Errorf("trigger step: %q is not a workflow of this pipeline", target)
	}
	if len(job.Outputs) > 0 || len(job.Inputs) > 0 {
		return template{}, fmt.Errorf("a trigger job cannot have inputs or outputs on argo (its only step creates a Workflow)")
	}
	pass := func(name string) parameter {
		return parameter{Name: name, Value: ptr("{{workflow.parameters." + name + "}}")}
	}
	manifest, err := encodeOne(workflow{
		APIVersion: argoAPI,
		Kind:       "Workflow",
		Metadata:   objectMeta{GenerateName: target + "-", Labels: labels(r.p)},
		Spec: workflowSpec{
			WorkflowTemplateRef: &templateRef{Name: target},
			Arguments: &arguments{Parameters: []parameter{
				{Name: paramEvent, Value: ptr("trigger")},
				pass(paramRevision), pass(paramRepo),
			}},
		},
	})
	if err != nil {
		return template{}, err
	}
	r.createsWorkflows = true
	t := template{Name: name, Resource: &resource{Action: "create", Manifest: manifest}}
	applyLimits(&t, job)
	return t, nil
}
