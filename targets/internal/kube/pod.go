package kube

import (
	"fmt"
	"maps"
	"path"
	"slices"

	"github.com/mlc-project/mlc/ir"
)

// Kubernetes names for GPU scheduling: the NVIDIA device plugin's resource
// and the node label GPU feature discovery sets to the accelerator model.
const (
	GPUResource  = "nvidia.com/gpu"
	GPUNodeLabel = "nvidia.com/gpu.product"
)

// GPUPlacement lets a pod that needs GPUs onto tainted GPU nodes, and onto
// nodes with the requested accelerator when the job names one.
func GPUPlacement(res ir.Resources) (tolerations []Toleration, nodeSelector map[string]string) {
	if res.GPU == 0 {
		return nil, nil
	}
	tolerations = []Toleration{{Key: GPUResource, Operator: "Exists", Effect: "NoSchedule"}}
	if res.GPUType != "" {
		nodeSelector = map[string]string{GPUNodeLabel: res.GPUType}
	}
	return tolerations, nodeSelector
}

// JobUser is the uid and gid job pods run as: not root, and the user
// rootless BuildKit runs as, so the checkout, written by the engine's own
// container, belongs to every step of the job.
const JobUser = 1000

// JobPodSecurity runs a job pod as JobUser, its volumes owned by JobUser's
// group.
func JobPodSecurity() *PodSecurityContext {
	return &PodSecurityContext{RunAsNonRoot: true, RunAsUser: JobUser, RunAsGroup: JobUser, FSGroup: JobUser}
}

// BuildKitImage builds and pushes images without a daemon or privileges
// (BuildKit rootless, see its docs/rootless.md), pinned by digest. Update
// tag and digest together (`crane digest IMAGE:TAG`) and regenerate the
// golden files.
const BuildKitImage = "docker.io/moby/buildkit:v0.33.0-rootless@sha256:80b15f0735e87bab7bf59ec4d695dfb4a7cfb25521cf56dc75d6f256285b63ef"

// RootlessBuildKit is what a BuildKit container needs to run unprivileged:
// no process sandbox (no nested PID namespace), and its own user namespace,
// which the default seccomp and AppArmor profiles forbid.
func RootlessBuildKit() (EnvVar, *SecurityContext) {
	return EnvVar{Name: "BUILDKITD_FLAGS", Value: "--oci-worker-no-process-sandbox"},
		&SecurityContext{
			RunAsUser: JobUser, RunAsGroup: JobUser,
			SeccompProfile:  &Profile{Type: "Unconfined"},
			AppArmorProfile: &Profile{Type: "Unconfined"},
		}
}

// BuildOptions are the buildctl build options for b: local context and
// Dockerfile, build args and labels. inputEnv names the env var holding a
// job input; build args from inputs become ${VAR} shell references.
func BuildOptions(b *ir.ImageBuild, inputEnv func(input string) (string, error)) ([]string, error) {
	dockerfile := b.Dockerfile
	if dockerfile == "" {
		dockerfile = path.Join(b.Context, "Dockerfile")
	}
	opts := []string{
		"--local", "context=" + path.Clean(b.Context),
		"--local", "dockerfile=" + path.Dir(dockerfile),
		"--opt", "filename=" + path.Base(dockerfile),
	}
	for _, a := range b.Args {
		value := a.Value
		if a.FromInput != "" {
			env, err := inputEnv(a.FromInput)
			if err != nil {
				return nil, fmt.Errorf("build arg %s: %w", a.Name, err)
			}
			value = "${" + env + "}"
		}
		opts = append(opts, "--opt", "build-arg:"+a.Name+"="+value)
	}
	for _, k := range slices.Sorted(maps.Keys(b.Labels)) {
		opts = append(opts, "--opt", "label:"+k+"="+b.Labels[k])
	}
	return opts, nil
}

// CheckSecrets rejects a job secret that no step of the job lists: the
// Kubernetes targets give each step container only its own step's secrets,
// so such a secret would silently be missing.
func CheckSecrets(j *ir.Job) error {
	for _, name := range j.Secrets {
		if !slices.ContainsFunc(j.Steps, func(s ir.Step) bool { return slices.Contains(s.Secrets, name) }) {
			return fmt.Errorf("secret %s is declared on the job but no step lists it in its Secrets; steps get only the secrets they list", name)
		}
	}
	return nil
}
