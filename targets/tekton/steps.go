package tekton

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

const (
	// workspaceName is the workspace holding the repository checkout.
	workspaceName = "source"
	// reservedStepPrefix marks the steps mlc adds around the user's.
	reservedStepPrefix = "mlc-"
	// runsMount is where a trigger step sees the PipelineRun templates.
	runsMount = "/etc/mlc/runs"
)

// outputFile is the file a step appends its key=value outputs to
// ($MLC_OUTPUT). /workspace is an emptyDir shared by all steps of a task and
// writable by any user, so the rootless builder can write there too.
func outputFile(stepID string) string { return "/workspace/.mlc-output-" + stepID }

// jobSteps renders the steps of a job: a checkout when it needs the
// repository, the user's steps, and a last step copying declared outputs
// into task results.
func (r *renderer) jobSteps(j *ir.Job) ([]step, []kube.Volume, error) {
	var steps []step
	var volumes []kube.Volume
	if j.Workspace {
		steps = append(steps, checkoutStep(r.p, j.History))
	}
	main, _ := kube.ResourceHolder(j)
	for i, s := range j.Steps {
		st, vol, err := r.userStep(j, s)
		if err != nil {
			return nil, nil, err
		}
		if i == main {
			st.ComputeResources = kube.Resources(j.Resources)
		}
		steps = append(steps, st)
		if vol != nil {
			volumes = append(volumes, *vol)
		}
	}
	if len(j.Outputs) > 0 {
		steps = append(steps, r.outputsStep(j))
	}
	return steps, volumes, nil
}

// checkoutStep clones the repository named by the task parameter
// MLC_REPO_URL, which the pipeline task fills from the pipeline's repo.
func checkoutStep(p *ir.Pipeline, history bool) step {
	script := checkoutScript
	if history {
		script = historyCheckoutScript
	}
	return step{
		Name:       reservedStepPrefix + "checkout",
		Image:      cmp.Or(p.Helpers.Git, gitImage),
		Command:    []string{"sh", "-ec", script},
		WorkingDir: "$(workspaces." + workspaceName + ".path)",
		Env:        []kube.EnvVar{{Name: "MLC_REPO_URL", Value: "$(params.MLC_REPO_URL)"}},
	}
}

// checkoutScript fetches exactly the revision under test and opens the
// checkout to every user, since later steps run in images with other users
// (the checkout is a per-run scratch copy).
const checkoutScript = `git init -q
git fetch -q --depth 1 "$MLC_REPO_URL" "$MLC_REVISION"
git checkout -q FETCH_HEAD
chmod -R a+rwX .
`

// historyCheckoutScript is checkoutScript with the whole history and the
// tags, for a job that reads versions from git (ir.Job.History); with
// --tags, FETCH_HEAD lists the tags too, so the commit is checked out by
// name (MLC_REVISION is the resolved commit).
const historyCheckoutScript = `git init -q
git fetch -q --tags "$MLC_REPO_URL" "$MLC_REVISION"
git checkout -q "$MLC_REVISION"
chmod -R a+rwX .
`

// trustCheckout lets git in any step use the checkout although another
// user owns it (git's safe.directory, set through the environment because
// steps do not share a home directory).
var trustCheckout = []kube.EnvVar{
	{Name: "GIT_CONFIG_COUNT", Value: "1"},
	{Name: "GIT_CONFIG_KEY_0", Value: "safe.directory"},
	{Name: "GIT_CONFIG_VALUE_0", Value: "*"},
}

func (r *renderer) userStep(j *ir.Job, s ir.Step) (step, *kube.Volume, error) {
	env, err := envVars(j, s.Env)
	if err != nil {
		return step{}, nil, err
	}
	fromSteps, err := kube.StepOutputEnv(j, s, outputFile)
	if err != nil {
		return step{}, nil, err
	}
	st := step{
		Name:       s.ID,
		WorkingDir: workingDir(j, s.Dir),
		Env:        append([]kube.EnvVar{{Name: "MLC_OUTPUT", Value: outputFile(s.ID)}}, env...),
	}
	for _, name := range s.Secrets {
		st.Env = append(st.Env, kube.SecretEnv(r.p.Name, name))
	}
	var vol *kube.Volume
	switch s.Kind {
	case ir.StepMLC:
		st.Image = r.p.MLCImage
		st.Command = []string{"sh", "-ec", kube.Literal(fromSteps + "mlc " + ir.ShellWords(s.Args))}
	case ir.StepScript:
		st.Image = j.Image
		st.Command = []string{"sh", "-c", kube.Literal(fromSteps + `exec sh -ec "$MLC_SCRIPT"`)}
		st.Env = append(st.Env, kube.EnvVar{Name: "MLC_SCRIPT", Value: kube.Literal(s.Script)})
	case ir.StepBuildImage:
		script, err := buildScript(j, s.Build)
		if err != nil {
			return step{}, nil, err
		}
		st.Image = cmp.Or(r.p.Helpers.BuildKit, kube.BuildKitImage)
		st.Command = []string{"sh", "-ec", kube.Literal(fromSteps + script)}
		var flags kube.EnvVar
		flags, st.SecurityContext = kube.RootlessBuildKit()
		st.Env = append(st.Env, flags)
	case ir.StepTrigger:
		// One kubectl creates a run of each workflow, from its run
		// template: every workflow's trigger ConfigMap (one key,
		// <workflow>.yaml) projected into one directory.
		st.Image = cmp.Or(r.p.Helpers.Kubectl, kubectlImage)
		st.Command = []string{"/bin/kubectl", "create", "-f", runsMount}
		vol = &kube.Volume{Name: s.ID, Projected: &kube.ProjectedVolume{}}
		for _, w := range s.Triggers {
			if !r.workflows[w] {
				return step{}, nil, fmt.Errorf("step %q triggers workflow %q, which the pipeline does not define", s.ID, w)
			}
			vol.Projected.Sources = append(vol.Projected.Sources, kube.VolumeProjection{ConfigMap: &kube.ConfigMapProjection{Name: triggerConfigMap(w)}})
		}
		st.VolumeMounts = []kube.VolumeMount{{Name: s.ID, MountPath: runsMount, ReadOnly: true}}
	default:
		return step{}, nil, fmt.Errorf("step %q has kind %q, which tekton cannot render", s.ID, s.Kind)
	}
	slices.SortStableFunc(st.Env, func(a, b kube.EnvVar) int { return strings.Compare(a.Name, b.Name) })
	return st, vol, nil
}

func workingDir(j *ir.Job, dir string) string {
	root := "/workspace"
	if j.Workspace {
		root = "$(workspaces." + workspaceName + ".path)"
	}
	if dir == "" || dir == "." {
		return root
	}
	return root + "/" + path.Clean(dir)
}

// envVars renders literal values and input references. An input reaches
// the step through the task parameter named after its env var, which the
// pipeline task fills from the producing task's result.
func envVars(j *ir.Job, vars []ir.EnvVar) ([]kube.EnvVar, error) {
	out := make([]kube.EnvVar, 0, len(vars))
	for _, v := range vars {
		if v.FromStep != "" {
			continue // set by the step's script (kube.StepOutputEnv)
		}
		value := kube.Literal(v.Value)
		if v.FromInput != "" {
			in, err := input(j, v.FromInput)
			if err != nil {
				return nil, fmt.Errorf("env %s: %w", v.Name, err)
			}
			value = "$(params." + in.Env + ")"
		}
		out = append(out, kube.EnvVar{Name: v.Name, Value: value})
	}
	return out, nil
}

func input(j *ir.Job, name string) (ir.Input, error) {
	for _, in := range j.Inputs {
		if in.Name == name {
			return in, nil
		}
	}
	return ir.Input{}, fmt.Errorf("job %q has no input %q", j.ID, name)
}

// buildScript builds Build with BuildKit, pushes it and records the pushed
// image by digest as the output "ref". Every spec value is a shell word
// from ir.ShellWords; only ${NAME} references are expanded.
func buildScript(j *ir.Job, b *ir.ImageBuild) (string, error) {
	opts, err := kube.BuildOptions(b, func(name string) (string, error) {
		in, err := input(j, name)
		return in.Env, err
	})
	if err != nil {
		return "", err
	}
	argv := append([]string{"buildctl-daemonless.sh", "build", "--frontend", "dockerfile.v0"}, opts...)
	argv = append(argv, "--output", "type=image,name=${MLC_IMAGE},push=true", "--metadata-file", "${MLC_OUTPUT}.build.json")
	return "MLC_IMAGE=" + ir.ShellWords([]string{b.Ref}) + "\n" +
		ir.ShellWords(argv) + "\n" + recordDigest, nil
}

// recordDigest turns the pushed tag into repository@digest: it drops a tag
// (a ':' in the last path element) and appends the digest BuildKit reports.
const recordDigest = `digest=` + "`" + `sed -n 's/.*"containerimage.digest": *"\([^"]*\)".*/\1/p' "$MLC_OUTPUT.build.json"` + "`" + `
test -n "$digest"
name=${MLC_IMAGE%@*}
case ${name##*/} in *:*) name=${name%:*} ;; esac
echo "ref=$name@$digest" >> "$MLC_OUTPUT"
`

// outputsStep copies each declared output from the $MLC_OUTPUT file of the
// step that writes it into the task result of the same name. Arguments come
// in triples (file, key, result path); the last value written for a key wins.
func (r *renderer) outputsStep(j *ir.Job) step {
	var args []string
	for _, o := range j.Outputs {
		args = append(args, outputFile(o.FromStep), o.Name, "$(results."+o.Name+".path)")
	}
	return step{
		Name:    reservedStepPrefix + "outputs",
		Image:   r.p.MLCImage,
		Command: []string{"sh", "-ec", outputsScript, "mlc-outputs"},
		Args:    args,
	}
}

const outputsScript = kube.ValueFn + `
while [ "$#" -ge 3 ]; do
  mlc_value "$1" "$2" > "$3"
  shift 3
done
`
