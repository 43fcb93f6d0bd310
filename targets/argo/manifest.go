package argo

import "github.com/mlc-project/mlc/targets/internal/kube"

// The types below mirror the subset of the Argo Workflows (argoproj.io/v1alpha1)
// schema mlc emits; Kubernetes types come from package kube. Field
// order is the order of the YAML output; optional fields use omitempty so an
// unset IR value leaves no key behind. They are checked against Argo's own Go
// types and validation in testdata/conformance/argo, which keeps that heavy
// module out of the mlc binary.

const argoAPI = "argoproj.io/v1alpha1"

type workflowTemplate struct {
	APIVersion string          `yaml:"apiVersion"`
	Kind       string          `yaml:"kind"`
	Metadata   kube.ObjectMeta `yaml:"metadata"`
	Spec       workflowSpec    `yaml:"spec"`
}

// workflow is the object a trigger step creates from a WorkflowTemplate.
type workflow = workflowTemplate

type cronWorkflow struct {
	APIVersion string           `yaml:"apiVersion"`
	Kind       string           `yaml:"kind"`
	Metadata   kube.ObjectMeta  `yaml:"metadata"`
	Spec       cronWorkflowSpec `yaml:"spec"`
}

type cronWorkflowSpec struct {
	Schedules         []string     `yaml:"schedules"`
	Timezone          string       `yaml:"timezone"`
	ConcurrencyPolicy string       `yaml:"concurrencyPolicy"`
	WorkflowSpec      workflowSpec `yaml:"workflowSpec"`
}

type workflowSpec struct {
	WorkflowTemplateRef *templateRef `yaml:"workflowTemplateRef,omitempty"`
	Entrypoint          string       `yaml:"entrypoint,omitempty"`
	OnExit              string       `yaml:"onExit,omitempty"`
	ServiceAccountName  string       `yaml:"serviceAccountName,omitempty"`
	// AutomountServiceAccountToken false with Executor: only Argo's own
	// init and wait containers get a token (the executor's), never the
	// containers that run the steps.
	AutomountServiceAccountToken *bool           `yaml:"automountServiceAccountToken,omitempty"`
	Executor                     *executorConfig `yaml:"executor,omitempty"`
	Arguments                    *arguments      `yaml:"arguments,omitempty"`
	Templates                    []template      `yaml:"templates,omitempty"`
}

type executorConfig struct {
	ServiceAccountName string `yaml:"serviceAccountName"`
}

type templateRef struct {
	Name string `yaml:"name"`
}

type arguments struct {
	Parameters []parameter `yaml:"parameters,omitempty"`
}

type synchronization struct {
	Mutexes []mutex `yaml:"mutexes"`
}

type mutex struct {
	Name string `yaml:"name"`
}

// parameter is an Argo parameter. Value and Default are pointers because an
// empty string is a value ("" default) while an absent one means "required".
type parameter struct {
	Name        string     `yaml:"name"`
	Value       *string    `yaml:"value,omitempty"`
	Default     *string    `yaml:"default,omitempty"`
	Enum        []string   `yaml:"enum,omitempty"`
	Description string     `yaml:"description,omitempty"`
	ValueFrom   *valueFrom `yaml:"valueFrom,omitempty"`
	GlobalName  string     `yaml:"globalName,omitempty"`
}

type valueFrom struct {
	Path      string    `yaml:"path,omitempty"`
	Parameter string    `yaml:"parameter,omitempty"`
	Supplied  *struct{} `yaml:"supplied,omitempty"`
	Default   *string   `yaml:"default,omitempty"`
}

type template struct {
	Name                  string                   `yaml:"name"`
	Metadata              *podMeta                 `yaml:"metadata,omitempty"`
	Inputs                *templateIO              `yaml:"inputs,omitempty"`
	Outputs               *templateIO              `yaml:"outputs,omitempty"`
	NodeSelector          map[string]string        `yaml:"nodeSelector,omitempty"`
	Tolerations           []kube.Toleration        `yaml:"tolerations,omitempty"`
	ActiveDeadlineSeconds int64                    `yaml:"activeDeadlineSeconds,omitempty"`
	RetryStrategy         *retryStrategy           `yaml:"retryStrategy,omitempty"`
	Synchronization       *synchronization         `yaml:"synchronization,omitempty"`
	SecurityContext       *kube.PodSecurityContext `yaml:"securityContext,omitempty"`
	Volumes               []kube.Volume            `yaml:"volumes,omitempty"`
	ContainerSet          *containerSet            `yaml:"containerSet,omitempty"`
	DAG                   *dag                     `yaml:"dag,omitempty"`
	Steps                 [][]step                 `yaml:"steps,omitempty"`
	Suspend               *suspend                 `yaml:"suspend,omitempty"`
	Resource              *resource                `yaml:"resource,omitempty"`
}

type podMeta struct {
	Annotations map[string]string `yaml:"annotations,omitempty"`
}

type templateIO struct {
	Parameters []parameter `yaml:"parameters,omitempty"`
	Artifacts  []artifact  `yaml:"artifacts,omitempty"`
}

// artifact is an input artifact; mlc only uses git checkouts.
type artifact struct {
	Name string       `yaml:"name"`
	Path string       `yaml:"path"`
	Git  *gitArtifact `yaml:"git"`
}

type gitArtifact struct {
	Repo     string   `yaml:"repo"`
	Revision string   `yaml:"revision"`
	Depth    int      `yaml:"depth,omitempty"` // 0: the whole history
	Fetch    []string `yaml:"fetch,omitempty"`
}

type retryStrategy struct {
	Limit int `yaml:"limit"`
}

type containerSet struct {
	VolumeMounts []kube.VolumeMount `yaml:"volumeMounts"`
	Containers   []container        `yaml:"containers"`
}

// container is an Argo ContainerNode: a Kubernetes container plus the
// containers of its set it starts after.
type container struct {
	kube.Container `yaml:",inline"`
	Dependencies   []string `yaml:"dependencies,omitempty"`
}

type dag struct {
	Tasks []dagTask `yaml:"tasks"`
}

type dagTask struct {
	Name      string     `yaml:"name"`
	Template  string     `yaml:"template"`
	Depends   string     `yaml:"depends,omitempty"`
	When      string     `yaml:"when,omitempty"`
	Arguments *arguments `yaml:"arguments,omitempty"`
}

type step struct {
	Name      string     `yaml:"name"`
	Template  string     `yaml:"template"`
	When      string     `yaml:"when,omitempty"`
	Arguments *arguments `yaml:"arguments,omitempty"`
	WithItems []string   `yaml:"withItems,omitempty"`
}

type suspend struct {
	Duration string `yaml:"duration,omitempty"`
}

type resource struct {
	Action   string `yaml:"action"`
	Manifest string `yaml:"manifest"`
}
