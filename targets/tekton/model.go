package tekton

import "github.com/mlc-project/mlc/targets/internal/kube"

// The types below mirror the subset of the Tekton v1 and batch/v1 APIs that
// mlc emits. Field order is the order keys are written in;
// every optional field is omitempty so the output holds only what mlc sets.
// The conformance module (testdata/conformance/tekton) decodes the output
// strictly into the real API types, which catches any misspelled key here.

// object is a Tekton or batch/v1 object; core and RBAC objects come from
// package kube.
type object struct {
	APIVersion string          `yaml:"apiVersion"`
	Kind       string          `yaml:"kind"`
	Metadata   kube.ObjectMeta `yaml:"metadata"`
	Spec       any             `yaml:"spec"`
}

// Tekton Pipeline.

type pipelineSpec struct {
	Description string          `yaml:"description,omitempty"`
	Params      []paramSpec     `yaml:"params,omitempty"`
	Workspaces  []workspaceDecl `yaml:"workspaces,omitempty"`
	Tasks       []pipelineTask  `yaml:"tasks,omitempty"`
	Finally     []pipelineTask  `yaml:"finally,omitempty"`
}

type paramSpec struct {
	Name        string  `yaml:"name"`
	Type        string  `yaml:"type"`
	Description string  `yaml:"description,omitempty"`
	Default     *string `yaml:"default,omitempty"`
}

type workspaceDecl struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description,omitempty"`
}

type pipelineTask struct {
	Name        string             `yaml:"name"`
	DisplayName string             `yaml:"displayName,omitempty"`
	TaskRef     *taskRef           `yaml:"taskRef,omitempty"`
	TaskSpec    *embeddedTask      `yaml:"taskSpec,omitempty"`
	When        []whenExpression   `yaml:"when,omitempty"`
	RunAfter    []string           `yaml:"runAfter,omitempty"`
	Retries     int                `yaml:"retries,omitempty"`
	Timeout     string             `yaml:"timeout,omitempty"`
	Params      []param            `yaml:"params,omitempty"`
	Workspaces  []workspaceBinding `yaml:"workspaces,omitempty"`
}

type taskRef struct {
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
}

// param is a pipeline task argument; Value is a string or a []string.
type param struct {
	Name  string `yaml:"name"`
	Value any    `yaml:"value"`
}

type whenExpression struct {
	Input    string   `yaml:"input"`
	Operator string   `yaml:"operator"`
	Values   []string `yaml:"values"`
}

type workspaceBinding struct {
	Name      string `yaml:"name"`
	Workspace string `yaml:"workspace"`
}

type embeddedTask struct {
	Metadata     *taskMetadata   `yaml:"metadata,omitempty"`
	Params       []paramSpec     `yaml:"params,omitempty"`
	Results      []result        `yaml:"results,omitempty"`
	Workspaces   []workspaceDecl `yaml:"workspaces,omitempty"`
	Volumes      []kube.Volume   `yaml:"volumes,omitempty"`
	StepTemplate *stepTemplate   `yaml:"stepTemplate,omitempty"`
	Steps        []step          `yaml:"steps"`
}

type taskMetadata struct {
	Labels      map[string]string `yaml:"labels,omitempty"`
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type result struct {
	Name        string `yaml:"name"`
	Type        string `yaml:"type"`
	Description string `yaml:"description,omitempty"`
}

type stepTemplate struct {
	Env []kube.EnvVar `yaml:"env,omitempty"`
}

// step is a Tekton step: a container that runs after the task's previous step.

type step struct {
	Name             string                     `yaml:"name"`
	Image            string                     `yaml:"image"`
	Command          []string                   `yaml:"command,omitempty"`
	Args             []string                   `yaml:"args,omitempty"`
	WorkingDir       string                     `yaml:"workingDir,omitempty"`
	Env              []kube.EnvVar              `yaml:"env,omitempty"`
	ComputeResources *kube.ResourceRequirements `yaml:"computeResources,omitempty"`
	VolumeMounts     []kube.VolumeMount         `yaml:"volumeMounts,omitempty"`
	SecurityContext  *kube.SecurityContext      `yaml:"securityContext,omitempty"`
}

// Tekton PipelineRun.

type pipelineRunSpec struct {
	PipelineRef nameRef        `yaml:"pipelineRef"`
	Params      []param        `yaml:"params,omitempty"`
	Workspaces  []runWorkspace `yaml:"workspaces,omitempty"`
	Timeouts    *timeouts      `yaml:"timeouts,omitempty"`
	// TaskRunTemplate names the account every task runs as unless its
	// taskRunSpec names another.
	TaskRunTemplate *taskRunTemplate      `yaml:"taskRunTemplate,omitempty"`
	TaskRunSpecs    []pipelineTaskRunSpec `yaml:"taskRunSpecs,omitempty"`
}

type taskRunTemplate struct {
	ServiceAccountName string `yaml:"serviceAccountName"`
}

type nameRef struct {
	Name string `yaml:"name"`
}

type runWorkspace struct {
	Name     string    `yaml:"name"`
	EmptyDir *struct{} `yaml:"emptyDir,omitempty"`
}

type timeouts struct {
	Pipeline string `yaml:"pipeline"`
}

type pipelineTaskRunSpec struct {
	PipelineTaskName   string       `yaml:"pipelineTaskName"`
	ServiceAccountName string       `yaml:"serviceAccountName,omitempty"`
	PodTemplate        *podTemplate `yaml:"podTemplate,omitempty"`
}

type podTemplate struct {
	NodeSelector map[string]string `yaml:"nodeSelector,omitempty"`
	Tolerations  []kube.Toleration `yaml:"tolerations,omitempty"`
}

// batch/v1 CronJob.

type cronJobSpec struct {
	Schedule                   string      `yaml:"schedule"`
	TimeZone                   string      `yaml:"timeZone"`
	ConcurrencyPolicy          string      `yaml:"concurrencyPolicy"`
	SuccessfulJobsHistoryLimit int         `yaml:"successfulJobsHistoryLimit"`
	FailedJobsHistoryLimit     int         `yaml:"failedJobsHistoryLimit"`
	JobTemplate                jobTemplate `yaml:"jobTemplate"`
}

type jobTemplate struct {
	Spec jobSpec `yaml:"spec"`
}

type jobSpec struct {
	BackoffLimit int             `yaml:"backoffLimit"`
	Template     podTemplateSpec `yaml:"template"`
}

type podTemplateSpec struct {
	Spec podSpec `yaml:"spec"`
}

type podSpec struct {
	ServiceAccountName string           `yaml:"serviceAccountName"`
	RestartPolicy      string           `yaml:"restartPolicy"`
	Containers         []kube.Container `yaml:"containers"`
	Volumes            []kube.Volume    `yaml:"volumes,omitempty"`
}
