package compiler

import (
	"cmp"
	"fmt"
	"maps"
	"path"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/mlc-project/mlc/gitops"
	"github.com/mlc-project/mlc/internal/version"
	"github.com/mlc-project/mlc/ir"
)

// defaultMLCImage is the mlc container image container engines run mlc
// steps in, tagged with the compiling version unless the spec pins one.
const defaultMLCImage = "ghcr.io/mlc-project/mlc"

// builder expands a Spec into IR jobs. It records which spec path each job
// came from, so graph checks can report positions.
type builder struct {
	spec    *Spec
	specDir string              // spec directory relative to the repository root
	origin  map[string][]string // job ID → spec path it was expanded from
	// schedules maps workflow name + "/" + schedule name to its spec path.
	schedules map[string][]string
	scored    map[string]bool // datasets only scored in batch (scoredOnly)
	// deliveries are the delivery workflows: one, or one per group of a
	// split spec (deliveryWorkflows), which retraining starts.
	deliveries []*ir.Workflow
	groups     []deliveryGroup // a split delivery's groups, sorted by name
	stages     []gitops.Stage  // the spec's stages (Spec.Stages), once
}

// schedule adds a schedule to w, expanded from the spec path origin.
func (b *builder) schedule(w *ir.Workflow, name, cron string, origin ...string) {
	w.Triggers.Schedules = append(w.Triggers.Schedules, ir.Schedule{Name: name, Cron: cron})
	b.schedules[w.Name+"/"+name] = origin
}

// build expands the spec into the target-neutral pipeline.
func build(s *Spec, specDir string) (*ir.Pipeline, *builder) {
	b := &builder{spec: s, specDir: specDir, origin: map[string][]string{}, schedules: map[string][]string{}}
	p := &ir.Pipeline{
		Name:       s.Name,
		SpecDir:    specDir,
		Source:     b.sourceFiles(),
		MLCVersion: s.mlcVersion(),
		Registry:   s.Registry,
		Repository: s.Repository,
		Runners:    ir.Runners{Default: []string{"ubuntu-24.04"}, GPU: []string{"self-hosted", "gpu"}},
	}
	p.MLCImage = s.mlcImage()
	p.MLCInstall = ir.Install{URL: version.ReleaseURL, PublicKey: version.ReleaseKey}
	if s.MLC != nil && s.MLC.Install != nil {
		in := s.MLC.Install
		p.MLCInstall = ir.Install{FromSource: in.From == "source", URL: strings.TrimSuffix(in.URL, "/"), PublicKey: cmp.Or(in.key, version.ReleaseKey)}
	}
	if s.MLC != nil && s.MLC.Helpers != nil {
		p.Helpers = ir.HelperImages(*s.MLC.Helpers)
	}
	if s.Runners != nil {
		if len(s.Runners.Default) > 0 {
			p.Runners.Default = s.Runners.Default
		}
		if len(s.Runners.GPU) > 0 {
			p.Runners.GPU = s.Runners.GPU
		}
	}
	b.deliveries = b.deliveryWorkflows()
	p.Workflows = append(p.Workflows, b.deliveries...)
	p.Workflows = append(p.Workflows, b.ciWorkflows()...)
	if w := b.monitorWorkflow(); w != nil {
		p.Workflows = append(p.Workflows, w)
	}
	p.Workflows = append(p.Workflows, b.batchWorkflows()...)
	for _, w := range p.Workflows {
		if slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return slices.Contains(j.Needs, versionJobID) }) {
			w.Jobs = append(w.Jobs, b.versionJob(w))
		}
	}
	sort.Slice(p.Workflows, func(i, j int) bool { return p.Workflows[i].Name < p.Workflows[j].Name })
	return p, b
}

func (b *builder) sourceFiles() string {
	names := make([]string, len(b.spec.src.files))
	for i, f := range b.spec.src.files {
		names[i] = path.Join(b.specDir, path.Base(f))
	}
	return strings.Join(names, ", ")
}

func (b *builder) workflowName(kind string) string { return b.spec.Name + "-" + kind }

// deliveryWorkflow is the continuous-delivery workflow named kind (the
// pipeline's "delivery", or one of a split one's) holding jobs.
func (b *builder) deliveryWorkflow(kind string, jobs []*ir.Job) *ir.Workflow {
	s := b.spec
	w := &ir.Workflow{
		Name:        b.workflowName(kind),
		Description: fmt.Sprintf("%s: data, training, evaluation, packaging and deployment", s.Name),
		Concurrency: b.workflowName(kind),
		Jobs:        jobs,
		Kind:        ir.WorkflowDelivery,
	}
	subject := s.Name + " delivery failed"
	if group, ok := strings.CutPrefix(kind, ir.WorkflowDelivery+"-"); ok {
		w.Description = fmt.Sprintf("%s, %s: data, training, evaluation, packaging and deployment", s.Name, group)
		subject = s.Name + " " + kind + " failed"
	}
	if t := s.Triggers; t != nil {
		if t.Push != nil {
			w.Triggers.Push = &ir.BranchFilter{Branches: t.Push.Branches, Tags: t.Push.Tags}
		}
		for _, name := range slices.Sorted(maps.Keys(t.Schedule)) {
			b.schedule(w, name, t.Schedule[name], "triggers", "schedule", name)
		}
		w.Triggers.Manual = t.Manual
	} else {
		w.Triggers.Manual = true
	}
	b.gateByChanges(w)
	b.onFailure(w, kind, alertFailure, kind, subject)
	return w
}

// deliveryUnits are the spec entries the delivery runs, in its order:
// every dataset (but those only scored in batch), code, model, app,
// environment and custom step, as "section.name".
func (b *builder) deliveryUnits() []string {
	s := b.spec
	var units []string
	for _, name := range slices.Sorted(maps.Keys(s.Datasets)) {
		if !b.scoredOnly(name) {
			units = append(units, "datasets."+name)
		}
	}
	units = appendUnits(units, "code", s.Code)
	units = appendUnits(units, "models", s.Models)
	units = appendUnits(units, "apps", s.Apps)
	units = appendUnits(units, "environments", s.Environments)
	return appendUnits(units, "steps", s.Steps)
}

func appendUnits[V any](units []string, section string, m map[string]V) []string {
	for _, name := range slices.Sorted(maps.Keys(m)) {
		units = append(units, section+"."+name)
	}
	return units
}

// unitJobs are the delivery jobs of one spec entry ("models.scorer").
func (b *builder) unitJobs(unit string) []*ir.Job {
	section, name, _ := strings.Cut(unit, ".")
	switch section {
	case "datasets":
		return []*ir.Job{b.datasetJob(name, true)}
	case "code":
		return []*ir.Job{b.codeJob(name, true)}
	case "models":
		if b.deploysModel(name) {
			return []*ir.Job{b.trainJob(name), b.evaluateJob(name), b.modelJob(name)}
		}
		return []*ir.Job{b.trainJob(name), b.evaluateJob(name)}
	case "apps":
		return []*ir.Job{b.packageJob(name)}
	case "environments":
		if b.spec.Environments[name].Smoke != "" {
			return []*ir.Job{b.deployJob(name), b.smokeJob(name)}
		}
		return []*ir.Job{b.deployJob(name)}
	case "steps":
		return []*ir.Job{b.customJob(name)}
	}
	return nil
}

// ciWorkflow checks pull requests: data validation and tests of datasets,
// lint and unit tests of code, and the generated files' check when
// generated is set. It publishes nothing and needs no write permission.
func (b *builder) ciWorkflow(kind string, datasets, code []string, generated bool) *ir.Workflow {
	s := b.spec
	w := &ir.Workflow{
		Name:             b.workflowName(kind),
		Description:      fmt.Sprintf("%s: data tests and code CI for pull requests", s.Name),
		Triggers:         ir.Triggers{PullRequest: &ir.BranchFilter{Branches: s.Triggers.PullRequest.Branches}},
		Concurrency:      b.workflowName(kind),
		CancelInProgress: true,
		Kind:             ir.WorkflowCI,
	}
	if group, ok := strings.CutPrefix(kind, ir.WorkflowCI+"-"); ok {
		w.Description = fmt.Sprintf("%s, %s: data tests and code CI for pull requests", s.Name, group)
	}
	for _, name := range datasets {
		w.Jobs = append(w.Jobs, b.datasetJob(name, false))
	}
	for _, name := range code {
		w.Jobs = append(w.Jobs, b.codeJob(name, false))
	}
	if generated && len(s.Git.Generated) > 0 {
		w.Jobs = append(w.Jobs, b.generatedJob())
	}
	if len(w.Jobs) == 0 {
		return nil
	}
	return w
}

// generatedJob fails a pull request whose committed generated files do not
// match its pipeline.cue, with a unified diff: mlc compile --check for each
// target the repository commits, into its directory from the repository
// root (the step runs in the spec directory).
func (b *builder) generatedJob() *ir.Job {
	j := b.job("generated", "Generated files up to date", ir.StageCodeCI, "git", "generated")
	for _, t := range slices.Sorted(slices.Values(b.spec.Git.Generated)) {
		args := b.withTags([]string{"compile", ".", "--target", t, "--out", relPath(b.specDir, b.spec.Git.Dirs[t]), "--check"})
		j.Steps = append(j.Steps, b.mlc("check-"+t, "Check the committed "+t+" files", args...))
	}
	return j
}

// job starts a job expanded from the spec path origin.
func (b *builder) job(id, name string, stage ir.Stage, origin ...string) *ir.Job {
	b.origin[id] = origin
	return &ir.Job{ID: id, Name: name, Stage: stage, Workspace: true}
}

// mlc is a step running mlc in the spec directory.
// withSpec is cmd, then --spec . with the build tags the spec was compiled
// with, then rest: an mlc command that reads the spec at run time must see
// a tagged file (an e2e.cue pointing a source at another endpoint) as the
// compiler did.
func (b *builder) withSpec(cmd []string, rest ...string) []string {
	return append(b.withTags(append(cmd, "--spec", ".")), rest...)
}

// withTags is cmd then the spec's build tags.
func (b *builder) withTags(cmd []string) []string {
	for _, t := range b.spec.src.tags {
		cmd = append(cmd, "--tag", t)
	}
	return cmd
}

func (b *builder) mlc(id, name string, args ...string) ir.Step {
	return ir.Step{ID: id, Name: name, Kind: ir.StepMLC, Args: args, Dir: b.specDir}
}

// script is a step running a user script in dir (relative to the spec
// directory), with env paths made relative to that dir.
func (b *builder) script(id, name, run, dir string, env map[string]string, paths map[string]string) ir.Step {
	stepDir := path.Join(b.specDir, dir)
	st := ir.Step{ID: id, Name: name, Kind: ir.StepScript, Script: run, Dir: stepDir}
	for k, v := range env {
		st.Env = append(st.Env, ir.EnvVar{Name: k, Value: v})
	}
	for k, p := range paths {
		st.Env = append(st.Env, ir.EnvVar{Name: k, Value: relPath(dir, p)})
	}
	sortEnv(st.Env)
	return st
}

// relPath expresses p (relative to the spec directory) from dir (also
// relative to it), so scripts in a subdirectory get working paths.
func relPath(dir, p string) string {
	dir = path.Clean(dir)
	if dir == "." || dir == "" {
		return p
	}
	up := strings.Repeat("../", strings.Count(dir, "/")+1)
	return up + p
}

// ref is the artifact reference of a repository of this pipeline at tag,
// resolved at run time against MLC_REGISTRY.
func (b *builder) ref(kind, name, tag string) string {
	return fmt.Sprintf("${MLC_REGISTRY}/%s-%s-%s:%s", b.spec.Name, kind, name, tag)
}

// useRegistry gives the job the registry env var and the permission to
// read it, or to push to it.
func (b *builder) useRegistry(j *ir.Job, write bool) {
	j.Env = setEnv(j.Env, "MLC_REGISTRY", b.spec.Registry)
	if strings.HasPrefix(b.spec.Registry, "ghcr.io/") {
		// The job's token reads and writes GitHub's registry; a workflow
		// that declares permissions gives none it does not name.
		access := "read"
		if write {
			access = "write"
		}
		j.Permissions = addPermission(j.Permissions, "packages", access)
	}
}

// versionJobID reads the build's version and channel from git once per
// run (mlc version, with the spec's git.channels); every signed push is
// stamped with them, and a release tagged with its version.
const versionJobID = "version"

func (b *builder) versionJob(w *ir.Workflow) *ir.Job {
	j := b.job(versionJobID, "Version", ir.StageCodeCI, "git", "channels")
	j.History = true
	j.Steps = []ir.Step{b.mlc("version", "Read the version from git", b.withTags([]string{"version", ".", "--allow-detached"})...)}
	j.Outputs = []ir.Output{
		{Name: "channel", Kind: ir.ArtifactValue, FromStep: "version"},
		{Name: "version", Kind: ir.ArtifactValue, FromStep: "version"},
	}
	b.changesStep(w, j)
	return j
}

// cosignPassword is the secret, and env var, cosign reads the key password from.
const cosignPassword = "COSIGN_PASSWORD"

// signedPush is an mlc push (args) that signs the digest it pushed, in
// the same process (--sign): signing the tag in a later step would sign
// whatever the tag names by then.
func (b *builder) signedPush(j *ir.Job, id, name string, args ...string) ir.Step {
	need(j, versionJobID, "version", "MLC_VERSION")
	need(j, versionJobID, "channel", "MLC_CHANNEL")
	args = append(args, "--version", "${MLC_VERSION}", "--channel", "${MLC_CHANNEL}", "--sign")
	if sg := b.spec.Signing; !sg.Keyless {
		return withSecrets(j, b.mlc(id, name, append(args, "--key", "env://"+sg.KeySecret)...), sg.KeySecret, cosignPassword)
	}
	j.Permissions = addPermission(j.Permissions, "id-token", "write")
	return b.mlc(id, name, args...)
}

// signStep signs ref with the configured signing method: only for images,
// which the engine's builder pushes (docs/security.md).
func (b *builder) signStep(j *ir.Job, id, ref string) ir.Step {
	sg := b.spec.Signing
	if sg.Keyless {
		j.Permissions = addPermission(j.Permissions, "id-token", "write")
		return b.mlc(id, "Sign", "sign", ref, "--keyless")
	}
	return withSecrets(j, b.mlc(id, "Sign", "sign", ref, "--key", "env://"+sg.KeySecret), sg.KeySecret, cosignPassword)
}

// verifyStep verifies ref's signature before it is deployed: with the
// public key, or keyless with the identity the engine names: on GitHub the
// very workflow file and ref that is running, never any workflow of the
// repository on any ref.
func (b *builder) verifyStep(id, ref string) ir.Step {
	return b.mlc(id, "Verify signature", append([]string{"verify", ref}, b.trustArgs()...)...)
}

// trustArgs are the flags naming whose signatures this pipeline trusts
// (mlc verify's policy flags, which pull and check metrics share).
func (b *builder) trustArgs() []string {
	if b.spec.Signing.Keyless {
		e := b.spec.keylessEngine()
		return []string{"--certificate-identity", e.Identity, "--certificate-oidc-issuer", e.Issuer}
	}
	return []string{"--key", b.spec.Signing.PublicKey}
}

// envName turns a spec name into an env var suffix: "credit-2" → "CREDIT_2".
func envName(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

func duration(s string) time.Duration {
	d, _ := time.ParseDuration(s) // the schema admits only valid durations
	return d
}

func setEnv(env []ir.EnvVar, name, value string) []ir.EnvVar {
	for i := range env {
		if env[i].Name == name {
			env[i].Value = value
			return env
		}
	}
	env = append(env, ir.EnvVar{Name: name, Value: value})
	sortEnv(env)
	return env
}

func sortEnv(env []ir.EnvVar) {
	sort.Slice(env, func(i, j int) bool { return env[i].Name < env[j].Name })
}

// withSecrets gives step st (of job j) the named secrets, and only it.
func withSecrets(j *ir.Job, st ir.Step, names ...string) ir.Step {
	st.Secrets = addSecret(st.Secrets, names...)
	j.Secrets = addSecret(j.Secrets, names...)
	return st
}

func addSecret(secrets []string, names ...string) []string {
	for _, n := range names {
		if !slices.Contains(secrets, n) {
			secrets = append(secrets, n)
		}
	}
	sort.Strings(secrets)
	return secrets
}

func addPermission(ps []ir.Permission, scope, access string) []ir.Permission {
	for i, p := range ps {
		if p.Scope == scope {
			if access == "write" {
				ps[i].Access = access
			}
			return ps
		}
	}
	ps = append(ps, ir.Permission{Scope: scope, Access: access})
	sort.Slice(ps, func(i, j int) bool { return ps[i].Scope < ps[j].Scope })
	return ps
}

// need adds a dependency and an input taken from the needed job's output.
func need(j *ir.Job, from, output, env string) {
	if !slices.Contains(j.Needs, from) {
		j.Needs = append(j.Needs, from)
		sort.Strings(j.Needs)
	}
	if env == "" {
		return
	}
	j.Inputs = append(j.Inputs, ir.Input{Name: from + "-" + output, Job: from, Output: output, Env: env})
	sort.Slice(j.Inputs, func(a, c int) bool { return j.Inputs[a].Env < j.Inputs[c].Env })
}

func resources(r *Resources) ir.Resources {
	if r == nil {
		return ir.Resources{}
	}
	out := ir.Resources{Memory: r.Memory, GPU: r.GPU, GPUType: r.GPUType}
	switch c := r.CPU.(type) {
	case string:
		out.CPU = c
	case nil:
	default:
		out.CPU = fmt.Sprint(c)
	}
	return out
}
