package argo

// The types below mirror the subset of the Argo Workflows (argoproj.io/v1alpha1)
// and Kubernetes (v1, rbac.authorization.k8s.io/v1) schemas mlc emits. Field
// order is the order of the YAML output; optional fields use omitempty so an
// unset IR value leaves no key behind. They are checked against Argo's own Go
// types and validation in testdata/conformance/argo, which keeps that heavy
// module out of the mlc binary.

const (
	argoAPI = "argoproj.io/v1alpha1"
	rbacAPI = "rbac.authorization.k8s.io/v1"
)

type objectMeta struct {
	Name         string            `yaml:"name,omitempty"`
	GenerateName string            `yaml:"generateName,omitempty"`
	Labels       map[string]string `yaml:"labels,omitempty"`
	Annotations  map[string]string `yaml:"annotations,omitempty"`
}

type serviceAccount struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
}

type role struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind"`
	Metadata   objectMeta   `yaml:"metadata"`
	Rules      []policyRule `yaml:"rules"`
}

type policyRule struct {
	APIGroups []string `yaml:"apiGroups"`
	Resources []string `yaml:"resources"`
	Verbs     []string `yaml:"verbs"`
}

type roleBinding struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   objectMeta `yaml:"metadata"`
	RoleRef    roleRef    `yaml:"roleRef"`
	Subjects   []subject  `yaml:"subjects"`
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

type workflowTemplate struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind"`
	Metadata   objectMeta   `yaml:"metadata"`
	Spec       workflowSpec `yaml:"spec"`
}

// workflow is the object a trigger step creates from a WorkflowTemplate.
type workflow = workflowTemplate

type cronWorkflow struct {
	APIVersion string           `yaml:"apiVersion"`
	Kind       string           `yaml:"kind"`
	Metadata   objectMeta       `yaml:"metadata"`
	Spec       cronWorkflowSpec `yaml:"spec"`
}

type cronWorkflowSpec struct {
	Schedules         []string     `yaml:"schedules"`
	Timezone          string       `yaml:"timezone"`
	ConcurrencyPolicy string       `yaml:"concurrencyPolicy"`
	WorkflowSpec      workflowSpec `yaml:"workflowSpec"`
}

type workflowSpec struct {
	WorkflowTemplateRef *templateRef     `yaml:"workflowTemplateRef,omitempty"`
	Entrypoint          string           `yaml:"entrypoint,omitempty"`
	OnExit              string           `yaml:"onExit,omitempty"`
	ServiceAccountName  string           `yaml:"serviceAccountName,omitempty"`
	Arguments           *arguments       `yaml:"arguments,omitempty"`
	Synchronization     *synchronization `yaml:"synchronization,omitempty"`
	Templates           []template       `yaml:"templates,omitempty"`
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
}

type valueFrom struct {
	Path      string    `yaml:"path,omitempty"`
	Parameter string    `yaml:"parameter,omitempty"`
	Supplied  *struct{} `yaml:"supplied,omitempty"`
	Default   *string   `yaml:"default,omitempty"`
}

type template struct {
	Name                  string            `yaml:"name"`
	Metadata              *podMeta          `yaml:"metadata,omitempty"`
	Inputs                *templateIO       `yaml:"inputs,omitempty"`
	Outputs               *templateIO       `yaml:"outputs,omitempty"`
	NodeSelector          map[string]string `yaml:"nodeSelector,omitempty"`
	Tolerations           []toleration      `yaml:"tolerations,omitempty"`
	ActiveDeadlineSeconds int64             `yaml:"activeDeadlineSeconds,omitempty"`
	RetryStrategy         *retryStrategy    `yaml:"retryStrategy,omitempty"`
	Volumes               []volume          `yaml:"volumes,omitempty"`
	ContainerSet          *containerSet     `yaml:"containerSet,omitempty"`
	DAG                   *dag              `yaml:"dag,omitempty"`
	Steps                 [][]step          `yaml:"steps,omitempty"`
	Suspend               *suspend          `yaml:"suspend,omitempty"`
	Resource              *resource         `yaml:"resource,omitempty"`
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
	Repo     string `yaml:"repo"`
	Revision string `yaml:"revision"`
	Depth    int    `yaml:"depth"`
}

type toleration struct {
	Key      string `yaml:"key"`
	Operator string `yaml:"operator"`
	Effect   string `yaml:"effect"`
}

type retryStrategy struct {
	Limit int `yaml:"limit"`
}

type volume struct {
	Name     string        `yaml:"name"`
	EmptyDir *struct{}     `yaml:"emptyDir,omitempty"`
	Secret   *secretVolume `yaml:"secret,omitempty"`
}

type secretVolume struct {
	SecretName string      `yaml:"secretName"`
	Optional   bool        `yaml:"optional"`
	Items      []keyToPath `yaml:"items"`
}

type keyToPath struct {
	Key  string `yaml:"key"`
	Path string `yaml:"path"`
}

type containerSet struct {
	VolumeMounts []volumeMount `yaml:"volumeMounts"`
	Containers   []container   `yaml:"containers"`
}

// container is an Argo ContainerNode: a Kubernetes container plus the
// containers of its set it starts after.
type container struct {
	Name            string           `yaml:"name"`
	Image           string           `yaml:"image"`
	Command         []string         `yaml:"command"`
	WorkingDir      string           `yaml:"workingDir,omitempty"`
	Env             []envVar         `yaml:"env,omitempty"`
	Resources       *resources       `yaml:"resources,omitempty"`
	VolumeMounts    []volumeMount    `yaml:"volumeMounts,omitempty"`
	SecurityContext *securityContext `yaml:"securityContext,omitempty"`
	Dependencies    []string         `yaml:"dependencies,omitempty"`
}

type envVar struct {
	Name      string     `yaml:"name"`
	Value     string     `yaml:"value,omitempty"`
	ValueFrom *envSource `yaml:"valueFrom,omitempty"`
}

type envSource struct {
	SecretKeyRef *keySelector `yaml:"secretKeyRef"`
}

type keySelector struct {
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

// securityContext carries what rootless BuildKit needs to run unprivileged.
type securityContext struct {
	RunAsUser       int64       `yaml:"runAsUser"`
	RunAsGroup      int64       `yaml:"runAsGroup"`
	SeccompProfile  profileType `yaml:"seccompProfile"`
	AppArmorProfile profileType `yaml:"appArmorProfile"`
}

type profileType struct {
	Type string `yaml:"type"`
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
}

type suspend struct {
	Duration string `yaml:"duration,omitempty"`
}

type resource struct {
	Action   string `yaml:"action"`
	Manifest string `yaml:"manifest"`
}
