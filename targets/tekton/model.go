package tekton

// The types below mirror the subset of the Tekton v1, batch/v1, core/v1 and
// rbac/v1 APIs that mlc emits. Field order is the order keys are written in;
// every optional field is omitempty so the output holds only what mlc sets.
// The conformance module (testdata/conformance/tekton) decodes the output
// strictly into the real API types, which catches any misspelled key here.

type object struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   meta              `yaml:"metadata"`
	Spec       any               `yaml:"spec,omitempty"`
	Data       map[string]string `yaml:"data,omitempty"`     // ConfigMap
	Rules      []policyRule      `yaml:"rules,omitempty"`    // Role
	RoleRef    *roleRef          `yaml:"roleRef,omitempty"`  // RoleBinding
	Subjects   []subject         `yaml:"subjects,omitempty"` // RoleBinding
}

type meta struct {
	Name         string            `yaml:"name,omitempty"`
	GenerateName string            `yaml:"generateName,omitempty"`
	Labels       map[string]string `yaml:"labels,omitempty"`
	Annotations  map[string]string `yaml:"annotations,omitempty"`
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
	Volumes      []volume        `yaml:"volumes,omitempty"`
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
	Env []envVar `yaml:"env,omitempty"`
}

// Kubernetes containers (Tekton steps and CronJob containers).

type step struct {
	Name             string           `yaml:"name"`
	Image            string           `yaml:"image"`
	Command          []string         `yaml:"command,omitempty"`
	Args             []string         `yaml:"args,omitempty"`
	WorkingDir       string           `yaml:"workingDir,omitempty"`
	Env              []envVar         `yaml:"env,omitempty"`
	ComputeResources *resources       `yaml:"computeResources,omitempty"`
	VolumeMounts     []volumeMount    `yaml:"volumeMounts,omitempty"`
	SecurityContext  *securityContext `yaml:"securityContext,omitempty"`
	OnError          string           `yaml:"onError,omitempty"`
}

type envVar struct {
	Name      string     `yaml:"name"`
	Value     string     `yaml:"value,omitempty"`
	ValueFrom *envSource `yaml:"valueFrom,omitempty"`
}

type envSource struct {
	SecretKeyRef    *keyRef `yaml:"secretKeyRef,omitempty"`
	ConfigMapKeyRef *keyRef `yaml:"configMapKeyRef,omitempty"`
}

type keyRef struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

type resources struct {
	Requests map[string]string `yaml:"requests,omitempty"`
	Limits   map[string]string `yaml:"limits,omitempty"`
}

type volumeMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
	ReadOnly  bool   `yaml:"readOnly,omitempty"`
}

type volume struct {
	Name      string           `yaml:"name"`
	ConfigMap *configMapVolume `yaml:"configMap,omitempty"`
}

type configMapVolume struct {
	Name string `yaml:"name"`
}

type securityContext struct {
	RunAsUser       int64    `yaml:"runAsUser,omitempty"`
	RunAsGroup      int64    `yaml:"runAsGroup,omitempty"`
	SeccompProfile  *profile `yaml:"seccompProfile,omitempty"`
	AppArmorProfile *profile `yaml:"appArmorProfile,omitempty"`
}

type profile struct {
	Type string `yaml:"type"`
}

// Tekton PipelineRun.

type pipelineRunSpec struct {
	PipelineRef  nameRef               `yaml:"pipelineRef"`
	Params       []param               `yaml:"params,omitempty"`
	Workspaces   []runWorkspace        `yaml:"workspaces,omitempty"`
	Timeouts     *timeouts             `yaml:"timeouts,omitempty"`
	TaskRunSpecs []pipelineTaskRunSpec `yaml:"taskRunSpecs,omitempty"`
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
	Tolerations  []toleration      `yaml:"tolerations,omitempty"`
}

type toleration struct {
	Key      string `yaml:"key"`
	Operator string `yaml:"operator"`
	Effect   string `yaml:"effect"`
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
	ServiceAccountName string   `yaml:"serviceAccountName"`
	RestartPolicy      string   `yaml:"restartPolicy"`
	Containers         []step   `yaml:"containers"`
	Volumes            []volume `yaml:"volumes,omitempty"`
}

// rbac/v1.

type policyRule struct {
	APIGroups []string `yaml:"apiGroups"`
	Resources []string `yaml:"resources"`
	Verbs     []string `yaml:"verbs"`
}

type roleRef struct {
	APIGroup string `yaml:"apiGroup"`
	Kind     string `yaml:"kind"`
	Name     string `yaml:"name"`
}

type subject struct {
	Kind string `yaml:"kind"`
	Name string `yaml:"name"`
}
