package github

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
)

func jobSteps(p *ir.Pipeline, j *ir.Job) ([]*yamlout.Map, error) {
	var steps []*yamlout.Map
	if j.Workspace {
		steps = append(steps, checkout(j.History))
	}
	login := false
	if usesMLC(j.Steps) {
		steps = append(steps, installMLC(p)...)
		if reg := envValue(j.Env, "MLC_REGISTRY"); strings.HasPrefix(reg, "ghcr.io/") {
			steps = append(steps, registryLogin())
			login = true
		}
	}
	for _, st := range j.Steps {
		m, err := step(p, j, st)
		if err != nil {
			return nil, err
		}
		steps = append(steps, m)
	}
	if login {
		steps = append(steps, registryLogout())
	}
	return steps, nil
}

func usesMLC(steps []ir.Step) bool {
	for _, s := range steps {
		if s.Kind == ir.StepMLC {
			return true
		}
	}
	return false
}

// checkoutScript fetches exactly the commit the run is for, shallow, with
// git alone: no third-party action code runs with the job's token. The
// token reaches git through its environment only (GIT_CONFIG_*), so it is
// neither in a URL nor in .git/config, and no remote is stored. A reused
// self-hosted workspace is reset and cleaned, as actions/checkout does.
// A job that reads versions from git (ir.Job.History) fetches the whole
// history and the tags instead.
const checkoutScript = `auth=$(printf 'x-access-token:%s' "$GH_TOKEN" | base64 | tr -d '\n')
git init -q .
GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$GITHUB_SERVER_URL/.extraheader" GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $auth" \
  git fetch -q <fetch> "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY" "$GITHUB_SHA"
git checkout -q --force --detach <commit>
git clean -q -ffdx
`

func checkout(history bool) *yamlout.Map {
	script := checkoutShallow
	if history {
		script = checkoutHistory
	}
	return yamlout.NewMap().Set("name", "Check out").
		Set("env", yamlout.NewMap().Set("GH_TOKEN", "${{ github.token }}")).
		Set("run", script)
}

var (
	checkoutShallow = strings.NewReplacer("<fetch>", "--depth=1 --no-tags", "<commit>", "FETCH_HEAD").Replace(checkoutScript)
	// With --tags, FETCH_HEAD lists the tags too: check out the commit by name.
	checkoutHistory = strings.NewReplacer("<fetch>", "--tags", "<commit>", `"$GITHUB_SHA"`).Replace(checkoutScript)
)

// registryLogin logs docker (and so mlc, through the docker config) in to
// GitHub Packages with the job's token; the job's permissions bound it.
func registryLogin() *yamlout.Map {
	return yamlout.NewMap().Set("name", "Log in to ghcr.io").
		Set("env", yamlout.NewMap().Set("GH_TOKEN", "${{ github.token }}")).
		Set("run", `printf '%s' "$GH_TOKEN" | docker login ghcr.io --username "$GITHUB_ACTOR" --password-stdin`)
}

// registryLogout removes the job's token from the runner's docker config
// whatever happened: a self-hosted runner keeps its home between jobs, and
// the next job, of any repository, would find the token there.
func registryLogout() *yamlout.Map {
	return yamlout.NewMap().Set("name", "Log out of ghcr.io").
		Set("if", "always()").
		Set("run", "docker logout ghcr.io")
}

func step(p *ir.Pipeline, j *ir.Job, st ir.Step) (*yamlout.Map, error) {
	env := stepEnv(j, st)
	var run string
	switch st.Kind {
	case ir.StepMLC:
		run = "mlc " + ir.ShellWords(st.Args)
	case ir.StepScript:
		env["MLC_SCRIPT"] = st.Script
		env["MLC_IMAGE"] = j.Image
		run = dockerRun(j, st, env)
	case ir.StepBuildImage:
		for _, a := range st.Build.Args {
			env[a.Name] = inputExpr(j, a)
		}
		run = buildImage(st.Build)
	case ir.StepTrigger:
		env["GH_TOKEN"] = "${{ github.token }}"
		// One workflow file a line: names are #Name-safe (no blanks, no
		// glob characters), so the loop's word splitting is exact.
		files := make([]string, len(st.Triggers))
		for i, w := range st.Triggers {
			files[i] = w + ".yml"
		}
		env["MLC_WORKFLOWS"] = strings.Join(files, "\n")
		run = `for w in $MLC_WORKFLOWS; do gh workflow run "$w" --ref "$GITHUB_REF"; done`
	default:
		return nil, fmt.Errorf("github: job %s step %s: unknown step kind %q", j.ID, st.ID, st.Kind)
	}
	m := yamlout.NewMap().Set("id", st.ID).Set("name", st.Name)
	// Without a checkout there is no directory to enter: bash could not start.
	if j.Workspace && st.Dir != "" && st.Dir != "." {
		m.Set("working-directory", st.Dir)
	}
	if len(env) > 0 {
		envMap := yamlout.NewMap()
		for _, k := range slices.Sorted(maps.Keys(env)) {
			envMap.Set(k, env[k])
		}
		m.Set("env", envMap)
	}
	return m.Set("run", run), nil
}

// stepEnv is the step's own env plus its secrets, by name.
func stepEnv(j *ir.Job, st ir.Step) map[string]string {
	env := map[string]string{}
	for _, s := range st.Secrets {
		env[s] = "${{ secrets." + s + " }}"
	}
	for _, e := range st.Env {
		env[e.Name] = inputExpr(j, e)
	}
	return env
}

// inputExpr is an env var's value: a literal, the output of an earlier
// step, or the output of a needed job.
func inputExpr(j *ir.Job, e ir.EnvVar) string {
	if e.FromStep != "" {
		return fmt.Sprintf("${{ steps.%s.outputs.%s }}", e.FromStep, e.Output)
	}
	if e.FromInput == "" {
		return e.Value
	}
	for _, in := range j.Inputs {
		if in.Name == e.FromInput {
			return fmt.Sprintf("${{ needs.%s.outputs.%s }}", in.Job, in.Output)
		}
	}
	return e.Value
}

// dockerRun runs the user's script in the job's image with the workspace
// mounted at the same path, so relative and absolute paths agree. Only
// variable names appear in the command; values stay in the environment.
func dockerRun(j *ir.Job, st ir.Step, stepEnv map[string]string) string {
	names := map[string]bool{"MLC_REVISION": true}
	for k := range stepEnv {
		names[k] = true
	}
	for _, e := range j.Env {
		names[e.Name] = true
	}
	for _, in := range j.Inputs {
		names[in.Env] = true
	}
	delete(names, "MLC_IMAGE")
	var b strings.Builder
	b.WriteString(`docker run --rm --volume "$GITHUB_WORKSPACE:$GITHUB_WORKSPACE" --workdir "$PWD"`)
	for _, n := range sortedSet(names) {
		b.WriteString(" --env " + n)
	}
	if st.GPU {
		b.WriteString(" --gpus all")
	}
	if c := j.Resources.CPU; c != "" {
		b.WriteString(" --cpus " + ir.ShellWords([]string{dockerCPU(c)}))
	}
	if mem := j.Resources.Memory; mem != "" {
		b.WriteString(" --memory " + ir.ShellWords([]string{dockerMemory(mem)}))
	}
	b.WriteString(` "$MLC_IMAGE" sh -ec "$MLC_SCRIPT"`)
	cmd := b.String()
	if j.Retries == 0 {
		return cmd + "\n"
	}
	// GitHub Actions has no job retry: the user's step is retried in place.
	return fmt.Sprintf("attempt=1\nuntil %s; do\n  if [ \"$attempt\" -gt %d ]; then exit 1; fi\n  echo \"::warning::attempt $attempt failed, retrying\"\n  attempt=$((attempt + 1))\ndone\n", cmd, j.Retries)
}

// buildImage builds and pushes with docker buildx, then writes the pushed
// image by digest as the step's ref output.
func buildImage(b *ir.ImageBuild) string {
	var s strings.Builder
	s.WriteString("ref=" + ir.ShellWords([]string{b.Ref}) + "\n")
	s.WriteString(`docker buildx build --push --metadata-file "$RUNNER_TEMP/build.json" --tag "$ref"`)
	s.WriteString(" --file " + ir.ShellWords([]string{b.Dockerfile}))
	for _, a := range b.Args {
		s.WriteString(" --build-arg " + a.Name)
	}
	labels := make([]string, 0, len(b.Labels))
	for k := range b.Labels {
		labels = append(labels, k)
	}
	sort.Strings(labels)
	for _, k := range labels {
		s.WriteString(" --label " + ir.ShellWords([]string{k + "=" + b.Labels[k]}))
	}
	s.WriteString(" " + ir.ShellWords([]string{b.Context}) + "\n")
	s.WriteString(`digest=$(jq -r '."containerimage.digest"' "$RUNNER_TEMP/build.json")` + "\n")
	s.WriteString(`echo "ref=${ref%:*}@$digest" >> "$GITHUB_OUTPUT"` + "\n")
	return s.String()
}

// alertJob runs the failure steps when any job of the workflow failed.
func alertJob(p *ir.Pipeline, w *ir.Workflow) *yamlout.Map {
	needs := make([]string, len(w.Jobs))
	for i, j := range w.Jobs {
		needs[i] = j.ID
	}
	alert := &ir.Job{ID: "alert", Steps: w.OnFailure, Permissions: w.OnFailurePermissions}
	steps := installMLC(p)
	for _, st := range w.OnFailure {
		m, _ := step(p, alert, st) // OnFailure holds mlc steps only
		steps = append(steps, m)
	}
	return yamlout.NewMap().Set("name", "Alert on failure").Set("runs-on", runsOn(p, alert)).
		Set("needs", yamlout.Flow(yamlout.Node(needs))).Set("if", "failure()").
		Set("permissions", permissions(alert)).Set("steps", steps)
}

func envValue(env []ir.EnvVar, name string) string {
	for _, e := range env {
		if e.Name == name {
			return e.Value
		}
	}
	return ""
}

func sortedSet(set map[string]bool) []string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// dockerCPU and dockerMemory translate Kubernetes quantities to docker's
// flags, so a GitHub job honours the same resource limits.
func dockerCPU(q string) string {
	if strings.HasSuffix(q, "m") {
		var milli float64
		fmt.Sscanf(strings.TrimSuffix(q, "m"), "%g", &milli)
		return fmt.Sprintf("%g", milli/1000)
	}
	return q
}

func dockerMemory(q string) string {
	for suffix, unit := range map[string]string{"Ki": "k", "Mi": "m", "Gi": "g", "Ti": "t"} {
		if strings.HasSuffix(q, suffix) {
			return strings.TrimSuffix(q, suffix) + unit
		}
	}
	return q
}
