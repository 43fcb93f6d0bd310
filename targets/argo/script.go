package argo

import (
	"fmt"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// Paths inside a job pod, on emptyDir volumes every container of the pod
// mounts: /workspace is scratch space and /workspace/src the checkout (Argo
// clones next to the target and renames it into place, which fails on a
// mount point, so the checkout is a directory inside the volume); /mlc holds
// each step's MLC_OUTPUT file and the files Argo reads the job's output
// parameters from.
const (
	mlcDir        = "/mlc"
	workspaceDir  = "/workspace"
	checkoutDir   = workspaceDir + "/src"
	registryDir   = "/mlc-registry"
	buildMetadata = mlcDir + "/build.json"
)

func stepOutputFile(stepID string) string { return mlcDir + "/step-" + stepID + ".env" }
func jobOutputFile(name string) string    { return mlcDir + "/output-" + name }

// The shell programs below are generated from fixed text. mlc arguments and
// paths are quoted with ir.ShellWords; user scripts are referenced only as
// "$MLC_SCRIPT" and reach the container through env, so no user text is
// ever parsed as shell syntax.

// stepScript is the command of a step's container: function definitions
// and the env taken from earlier steps' outputs (prelude), then one command
// list, so a failing cd stops the step.
func stepScript(s ir.Step, workspace bool, inputEnv map[string]string, prelude string) (string, error) {
	var cmd string
	switch s.Kind {
	case ir.StepMLC:
		cmd = ir.ShellWords(append([]string{"mlc"}, s.Args...))
	case ir.StepScript:
		cmd = `sh -ec "$MLC_SCRIPT"`
	case ir.StepBuildImage:
		build, err := buildCommand(s.Build, inputEnv)
		if err != nil {
			return "", err
		}
		prelude, cmd = prelude+buildFn+"\n", build
	default:
		return "", fmt.Errorf("step kind %q is not supported by argo", s.Kind)
	}
	if s.Dir != "" {
		dir := ir.ShellWords([]string{s.Dir})
		cmd = "cd " + dir + " && " + cmd
		if !workspace {
			// No checkout: the directory only gives the step a place to work.
			cmd = "mkdir -p " + dir + " && " + cmd
		}
	}
	return kube.Literal(prelude + cmd + "\n"), nil
}

// collectScript is the command of the pod's last container, named main as
// Argo requires: it turns the steps' NAME=value output files into the files
// the job's output parameters are read from.
func collectScript(outputs []ir.Output) string {
	if len(outputs) == 0 {
		return "true\n"
	}
	lines := []string{kube.ValueFn}
	for _, o := range outputs {
		lines = append(lines, "mlc_value "+stepOutputFile(o.FromStep)+" "+o.Name+" > "+jobOutputFile(o.Name))
	}
	return kube.Literal(strings.Join(lines, "\n") + "\n")
}

// buildFn builds and pushes an image with rootless BuildKit and records the
// pushed reference by digest as the step outputs ref and digest. "|| return"
// because sh -e does not apply inside an && list or a || subshell.
const buildFn = `mlc_build() {
	ref=$1
	shift
	buildctl-daemonless.sh build --frontend dockerfile.v0 --output "type=image,name=$ref,push=true" --metadata-file ` + buildMetadata + ` "$@" || return
	digest=$(sed -n 's/.*"containerimage.digest": *"\([^"]*\)".*/\1/p' ` + buildMetadata + `) || return
	[ -n "$digest" ] || { echo "mlc: buildkit reported no image digest" >&2; return 1; }
	name=${ref%@*}
	case ${name##*/} in *:*) name=${name%:*} ;; esac
	echo "ref=$name@$digest" >> "$MLC_OUTPUT"
	echo "digest=$digest" >> "$MLC_OUTPUT"
}`

func buildCommand(b *ir.ImageBuild, inputEnv map[string]string) (string, error) {
	if b == nil {
		return "", fmt.Errorf("build-image step without a build")
	}
	opts, err := kube.BuildOptions(b, func(name string) (string, error) {
		env, ok := inputEnv[name]
		if !ok {
			return "", fmt.Errorf("unknown input %q", name)
		}
		return env, nil
	})
	if err != nil {
		return "", err
	}
	return ir.ShellWords(append([]string{"mlc_build", b.Ref}, opts...)), nil
}
