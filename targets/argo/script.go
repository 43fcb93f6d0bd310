package argo

import (
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// Paths inside a job pod. /mlc is an emptyDir shared by the init container
// (which copies the mlc binary into /mlc/bin) and the main container (step
// output files, job output parameters, a scratch working directory).
const (
	mlcDir        = "/mlc"
	workspaceDir  = "/workspace"
	registryDir   = "/mlc-registry"
	stepOutDir    = mlcDir + "/out"
	jobOutDir     = mlcDir + "/outputs"
	scratchDir    = mlcDir + "/work"
	mlcBinDir     = mlcDir + "/bin"
	buildMetadata = mlcDir + "/build.json"
)

// runner is the shell program of a job's main container. It is generated
// from fixed text: mlc arguments and paths are quoted with ir.ShellWords,
// user scripts are only referenced as "$MLC_SCRIPT_<n>" and reach the
// container through env, so no user text is ever parsed as shell syntax.
type runner struct {
	lines []string
	env   []envVar // MLC_SCRIPT_<n> values
}

// outputFn extracts the last NAME=value line of a step's output file into
// the file Argo reads the output parameter from.
const outputFn = `mlc_output() {
	value=
	if [ -f "` + stepOutDir + `/$1" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in "$2="*) value=${line#*=} ;; esac
		done < "` + stepOutDir + `/$1"
	fi
	printf '%s' "$value" > "` + jobOutDir + `/$2"
}`

// buildFn builds and pushes an image with rootless BuildKit and records the
// pushed reference by digest as the step outputs ref and digest. Every
// command ends in "|| return": the function runs inside an && list, where
// sh -e does not stop on failure.
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

// newRunner renders the steps of job in order. inputEnv maps an input name
// to the env var that holds its value.
func newRunner(job *ir.Job, copyMLC bool, inputEnv map[string]string) (*runner, error) {
	r := &runner{}
	if copyMLC {
		r.add(`export PATH="` + mlcBinDir + `:$PATH"`)
	}
	r.add("mkdir -p " + stepOutDir + " " + jobOutDir)
	if job.Workspace {
		r.add("cd " + workspaceDir)
	} else {
		r.add("mkdir -p " + scratchDir + " && cd " + scratchDir)
	}
	if len(job.Outputs) > 0 {
		r.add(outputFn)
	}
	if slices.ContainsFunc(job.Steps, func(s ir.Step) bool { return s.Kind == ir.StepBuildImage }) {
		r.add(buildFn)
	}
	for i, s := range job.Steps {
		if err := r.step(i+1, s, job.Workspace, inputEnv); err != nil {
			return nil, fmt.Errorf("step %q: %w", s.ID, err)
		}
	}
	for _, o := range job.Outputs {
		r.add("mlc_output " + o.FromStep + " " + o.Name)
	}
	return r, nil
}

func (r *runner) add(line string) { r.lines = append(r.lines, line) }

// script is the runner text, escaped for Kubernetes' $(VAR) expansion of
// container commands.
func (r *runner) script() string { return kubeLiteral(strings.Join(r.lines, "\n") + "\n") }

// step renders one step as a subshell: cd to its directory, export its env
// and MLC_OUTPUT, run it. ContinueOnError turns a failure into a warning.
func (r *runner) step(n int, s ir.Step, workspace bool, inputEnv map[string]string) error {
	if err := checkName("step id", s.ID); err != nil {
		return err
	}
	parts := []string{}
	if s.Dir != "" {
		dir := ir.ShellWords([]string{s.Dir})
		if !workspace {
			// No checkout: the directory only gives the step a place to work.
			parts = append(parts, "mkdir -p "+dir)
		}
		parts = append(parts, "cd "+dir)
	}
	parts = append(parts, "export MLC_OUTPUT="+stepOutDir+"/"+s.ID)
	for _, e := range s.Env {
		if err := checkEnvName(e.Name); err != nil {
			return err
		}
		v, err := envValueForShell(e, inputEnv)
		if err != nil {
			return err
		}
		parts = append(parts, "export "+e.Name+"="+v)
	}
	cmd, err := r.command(n, s, inputEnv)
	if err != nil {
		return err
	}
	parts = append(parts, cmd)
	line := "(" + strings.Join(parts, " && ") + ")"
	if s.ContinueOnError {
		line += ` || echo "mlc: step ` + s.ID + ` failed; continuing (continue-on-error)" >&2`
	}
	r.add("# step " + s.ID + " (" + string(s.Kind) + ")")
	r.add(line)
	return nil
}

func (r *runner) command(n int, s ir.Step, inputEnv map[string]string) (string, error) {
	switch s.Kind {
	case ir.StepMLC:
		return ir.ShellWords(append([]string{"mlc"}, s.Args...)), nil
	case ir.StepScript:
		name := fmt.Sprintf("MLC_SCRIPT_%d", n)
		r.env = append(r.env, envVar{Name: name, Value: kubeLiteral(s.Script)})
		return `sh -ec "$` + name + `"`, nil
	case ir.StepBuildImage:
		return buildCommand(s.Build, inputEnv)
	}
	return "", fmt.Errorf("step kind %q is not supported by argo", s.Kind)
}

func buildCommand(b *ir.ImageBuild, inputEnv map[string]string) (string, error) {
	if b == nil {
		return "", fmt.Errorf("build-image step without a build")
	}
	dockerfile := b.Dockerfile
	if dockerfile == "" {
		dockerfile = path.Join(b.Context, "Dockerfile")
	}
	args := []string{"mlc_build", b.Ref,
		"--local", "context=" + workspacePath(b.Context),
		"--local", "dockerfile=" + workspacePath(path.Dir(dockerfile)),
		"--opt", "filename=" + path.Base(dockerfile),
	}
	for _, a := range b.Args {
		v := a.Value
		if a.FromInput != "" {
			env, ok := inputEnv[a.FromInput]
			if !ok {
				return "", fmt.Errorf("build arg %s: unknown input %q", a.Name, a.FromInput)
			}
			v = "${" + env + "}"
		}
		args = append(args, "--opt", "build-arg:"+a.Name+"="+v)
	}
	keys := make([]string, 0, len(b.Labels))
	for k := range b.Labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		args = append(args, "--opt", "label:"+k+"="+b.Labels[k])
	}
	return ir.ShellWords(args), nil
}

// envValueForShell renders a step env value as a shell word: a literal,
// quoted, or the env var of the input it names.
func envValueForShell(e ir.EnvVar, inputEnv map[string]string) (string, error) {
	if e.FromInput == "" {
		return singleQuoted(e.Value), nil
	}
	env, ok := inputEnv[e.FromInput]
	if !ok {
		return "", fmt.Errorf("env %s: unknown input %q", e.Name, e.FromInput)
	}
	return `"$` + env + `"`, nil
}

// singleQuoted quotes s so the shell passes every character through.
func singleQuoted(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// workspacePath is a build path relative to the job's working directory.
func workspacePath(p string) string {
	if p == "" {
		return "."
	}
	return p
}

// kubeLiteral escapes s for the fields Kubernetes expands $(VAR) in
// (command, args, env values): "$(" and "$$" would otherwise be rewritten
// by the kubelet, so a '$' followed by '(' or '$' is doubled.
func kubeLiteral(s string) string {
	if !strings.Contains(s, "$(") && !strings.Contains(s, "$$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '$' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '$') {
			b.WriteByte('$')
		}
	}
	return b.String()
}
