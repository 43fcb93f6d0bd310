// Package kube holds what the Kubernetes targets (Tekton, Argo) share: the
// subset of the core/v1 and rbac/v1 API types they write, the objects both
// build from them, and the encoding of a manifest file.
//
// Field order is the order keys are written in; every optional field is
// omitempty so the output holds only what a target sets. Each target's
// conformance module (testdata/conformance/*) decodes the output strictly
// into the real API types, which catches a misspelled key here.
package kube

// ObjectMeta is metadata of an object (or of a pod template).
type ObjectMeta struct {
	Name         string            `yaml:"name,omitempty"`
	GenerateName string            `yaml:"generateName,omitempty"`
	Labels       map[string]string `yaml:"labels,omitempty"`
	Annotations  map[string]string `yaml:"annotations,omitempty"`
}

// Container is a core/v1 container.
type Container struct {
	Name            string                `yaml:"name"`
	Image           string                `yaml:"image"`
	Command         []string              `yaml:"command,omitempty"`
	Args            []string              `yaml:"args,omitempty"`
	WorkingDir      string                `yaml:"workingDir,omitempty"`
	Env             []EnvVar              `yaml:"env,omitempty"`
	Resources       *ResourceRequirements `yaml:"resources,omitempty"`
	VolumeMounts    []VolumeMount         `yaml:"volumeMounts,omitempty"`
	SecurityContext *SecurityContext      `yaml:"securityContext,omitempty"`
}

// EnvVar is a literal value or a reference to a Secret or ConfigMap key.
type EnvVar struct {
	Name      string        `yaml:"name"`
	Value     string        `yaml:"value,omitempty"`
	ValueFrom *EnvVarSource `yaml:"valueFrom,omitempty"`
}

type EnvVarSource struct {
	SecretKeyRef *KeySelector `yaml:"secretKeyRef,omitempty"`
}

// KeySelector names a key of a Secret.
type KeySelector struct {
	Name string `yaml:"name"`
	Key  string `yaml:"key"`
}

// SecretEnv exposes key name of Secret secret as the env var name.
func SecretEnv(secret, name string) EnvVar {
	return EnvVar{Name: name, ValueFrom: &EnvVarSource{SecretKeyRef: &KeySelector{Name: secret, Key: name}}}
}

type ResourceRequirements struct {
	Requests map[string]string `yaml:"requests,omitempty"`
	Limits   map[string]string `yaml:"limits,omitempty"`
}

type VolumeMount struct {
	Name      string `yaml:"name"`
	MountPath string `yaml:"mountPath"`
	ReadOnly  bool   `yaml:"readOnly,omitempty"`
}

// Volume is a pod volume; exactly one source is set.
type Volume struct {
	Name      string           `yaml:"name"`
	EmptyDir  *struct{}        `yaml:"emptyDir,omitempty"`
	ConfigMap *ConfigMapVolume `yaml:"configMap,omitempty"`
	Secret    *SecretVolume    `yaml:"secret,omitempty"`
	// DownwardAPI exposes the pod's own metadata as files, which the
	// kubelet rewrites when the metadata changes.
	DownwardAPI *DownwardAPIVolume `yaml:"downwardAPI,omitempty"`
	// Projected puts keys of several ConfigMaps into one directory.
	Projected *ProjectedVolume `yaml:"projected,omitempty"`
}

type ProjectedVolume struct {
	Sources []VolumeProjection `yaml:"sources"`
}

type VolumeProjection struct {
	ConfigMap *ConfigMapProjection `yaml:"configMap"`
}

type ConfigMapProjection struct {
	Name  string      `yaml:"name"`
	Items []KeyToPath `yaml:"items,omitempty"` // none: every key, by its name
}

type DownwardAPIVolume struct {
	Items []DownwardAPIFile `yaml:"items"`
}

type DownwardAPIFile struct {
	Path     string      `yaml:"path"`
	FieldRef FieldSelect `yaml:"fieldRef"`
}

type FieldSelect struct {
	FieldPath string `yaml:"fieldPath"`
}

type ConfigMapVolume struct {
	Name string `yaml:"name"`
}

type SecretVolume struct {
	SecretName string      `yaml:"secretName"`
	Optional   bool        `yaml:"optional"`
	Items      []KeyToPath `yaml:"items"`
}

type KeyToPath struct {
	Key  string `yaml:"key"`
	Path string `yaml:"path"`
}

type SecurityContext struct {
	RunAsUser       int64    `yaml:"runAsUser,omitempty"`
	RunAsGroup      int64    `yaml:"runAsGroup,omitempty"`
	SeccompProfile  *Profile `yaml:"seccompProfile,omitempty"`
	AppArmorProfile *Profile `yaml:"appArmorProfile,omitempty"`
}

// PodSecurityContext is the pod-level security context: the user every
// container (the engine's own included) runs as unless it sets its own.
type PodSecurityContext struct {
	RunAsNonRoot bool  `yaml:"runAsNonRoot,omitempty"`
	RunAsUser    int64 `yaml:"runAsUser,omitempty"`
	RunAsGroup   int64 `yaml:"runAsGroup,omitempty"`
	FSGroup      int64 `yaml:"fsGroup,omitempty"`
}

// Profile is a seccomp or AppArmor profile.
type Profile struct {
	Type string `yaml:"type"`
}

type Toleration struct {
	Key      string `yaml:"key"`
	Operator string `yaml:"operator"`
	Effect   string `yaml:"effect"`
}

type ConfigMap struct {
	APIVersion string            `yaml:"apiVersion"`
	Kind       string            `yaml:"kind"`
	Metadata   ObjectMeta        `yaml:"metadata"`
	Data       map[string]string `yaml:"data"`
}

// NewConfigMap is a ConfigMap holding data.
func NewConfigMap(meta ObjectMeta, data map[string]string) ConfigMap {
	return ConfigMap{APIVersion: "v1", Kind: "ConfigMap", Metadata: meta, Data: data}
}
