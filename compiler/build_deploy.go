package compiler

import (
	"maps"
	"path"
	"slices"
	"strconv"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/spec"
)

// packageJob builds the app image once, with the registered model inside,
// and signs it by the digest it pushed; every environment deploys that
// same digest.
func (b *builder) packageJob(name string) *ir.Job {
	a := b.spec.Apps[name]
	j := b.job("package-"+name, "Package "+name, ir.StagePackage, "apps", name)
	b.useRegistry(j, true)
	need(j, b.modelSource(a.Model), "ref", "MLC_MODEL")
	ref := b.ref("app", name, "${MLC_REVISION}")
	if a.Image.Dockerfile != "" {
		return b.dockerfileJob(j, name, a, ref)
	}
	model := modelDir(a.Model)
	pull := append([]string{"pull", "${MLC_MODEL}", model}, b.trustArgs()...)
	args := []string{"package", name, ref, "--base", a.Image.Base, "--context", a.Image.Context,
		"--model-dir", model, "--workdir", a.Image.WorkDir, "--user", a.Image.User}
	for _, p := range a.Image.Platforms {
		args = append(args, "--platform", p)
	}
	for _, w := range a.Image.Entrypoint {
		args = append(args, "--entrypoint", w)
	}
	for _, w := range a.Image.Cmd {
		args = append(args, "--cmd", w)
	}
	for _, k := range slices.Sorted(maps.Keys(a.Image.Env)) {
		args = append(args, "--env", k+"="+a.Image.Env[k])
	}
	for _, p := range a.Image.Ports {
		args = append(args, "--port", strconv.Itoa(p))
	}
	// The model's own provenance names its datasets and code: the image's
	// names the model, which a run that did not retrain reuses.
	args = append(args, "--label", "dev.mlc.pipeline="+b.spec.Name, "--from-model", "${MLC_MODEL}")
	j.Steps = append(j.Steps,
		b.mlc("pull-model", "Pull model", pull...),
		b.signedPush(j, "package", "Package image", args...))
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactImage, FromStep: "package"}}
	return j
}

// dockerfileJob builds the image with the engine's builder from the
// spec's Dockerfile, the model verified and pulled into the context first,
// and signs the digest the builder reported, never the tag, which anyone
// with push access could move in between (docs/security.md).
func (b *builder) dockerfileJob(j *ir.Job, name string, a *App, ref string) *ir.Job {
	ctxDir := path.Join(b.specDir, a.Image.Context)
	build := ir.Step{ID: "build", Name: "Build image", Kind: ir.StepBuildImage, Build: &ir.ImageBuild{
		Context:    ctxDir,
		Dockerfile: path.Join(b.specDir, a.Image.Dockerfile),
		Ref:        ref,
		Args:       []ir.EnvVar{{Name: "MLC_MODEL", FromInput: b.modelSource(a.Model) + "-ref"}},
		Labels:     map[string]string{"dev.mlc.pipeline": b.spec.Name, "dev.mlc.app": name, "dev.mlc.model": a.Model},
	}}
	pull := append([]string{"pull", "${MLC_MODEL}", path.Join(a.Image.Context, "model")}, b.trustArgs()...)
	sign := b.signStep(j, "sign", "${MLC_BUILT_IMAGE}")
	sign.Env = append(sign.Env, ir.EnvVar{Name: "MLC_BUILT_IMAGE", FromStep: build.ID, Output: "ref"})
	j.Steps = append(j.Steps, b.mlc("pull-model", "Pull model", pull...), build, sign)
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactImage, FromStep: "build"}}
	return j
}

// deployJob verifies and promotes the app image and its model (and the
// model's datasets, the drift reference) to the environment, then runs the
// user's deployment. With approval it waits for a person first.
func (b *builder) deployJob(name string) *ir.Job {
	e := b.spec.Environments[name]
	a := b.spec.Apps[e.App]
	j := b.job("deploy-"+name, "Deploy to "+name, ir.StageDeploy, "environments", name)
	j.Environment = name
	j.Condition.OnlyBranches = e.Branches
	b.useRegistry(j, true)
	if e.Approval && e.GitOps == nil { // a GitOps approval is the merge
		j.Approval = &ir.Approval{Environment: name, Approvers: e.Approvers, Required: 1}
	}
	need(j, "package-"+e.App, "ref", "MLC_APP_IMAGE")
	if e.After != "" {
		need(j, b.lastJobOf(e.After), "", "")
	}
	if a != nil {
		need(j, b.modelSource(a.Model), "ref", "MLC_MODEL")
	}
	// The model's datasets (the drift reference) move with it, read from
	// its verified provenance: a run that did not retrain has no dataset jobs.
	promote := append([]string{"promote", "${MLC_MODEL}", "--to", name, "--with-datasets"}, b.trustArgs()...)
	j.Steps = append(j.Steps,
		b.verifyStep("verify-image", "${MLC_APP_IMAGE}"),
		b.verifyStep("verify-model", "${MLC_MODEL}"),
		b.mlc("promote-model", "Promote model and its datasets", promote...),
		b.mlc("promote-image", "Promote image", "promote", "${MLC_APP_IMAGE}", "--to", name))
	if g := e.GitOps; g != nil {
		j.Steps = append(j.Steps, b.gitopsStep(j, name, g))
	}
	if d := e.Deploy; d != nil {
		j.Image = d.Image
		env := copyEnv(d.Env)
		env["MLC_ENVIRONMENT"] = name
		if e.URL != "" {
			env["MLC_URL"] = e.URL
		}
		st := b.script("deploy", "Deploy", d.Run, d.Dir, env, nil)
		st.Env = append(st.Env,
			ir.EnvVar{Name: "MLC_APP_IMAGE", FromInput: "package-" + e.App + "-ref"},
			ir.EnvVar{Name: "MLC_MODEL", FromInput: b.modelSource(modelOf(a)) + "-ref"})
		sortEnv(st.Env)
		j.Steps = append(j.Steps, withSecrets(j, st, d.Secrets...))
	}
	return j
}

// gitopsStep deploys by commit: mlc deploy verifies the image and writes
// its digest, with the model's lineage, into the environment repository.
func (b *builder) gitopsStep(j *ir.Job, env string, g *spec.GitOps) ir.Step {
	// The step runs in the spec directory; the tags select the same files
	// (the environment may be declared in a tagged one).
	// mlc deploy reads the model's datasets and code from its provenance.
	args := append(b.withTags([]string{"deploy", env, "."}), "--image", "${MLC_APP_IMAGE}", "--model", "${MLC_MODEL}")
	st := b.mlc("gitops", "Deploy by commit", append(args, b.trustArgs()...)...)
	if g.TokenSecret != "" && !g.Local() {
		st = withSecrets(j, st, g.TokenSecret)
	}
	return st
}

// smokeJob tests a deployment from the outside.
func (b *builder) smokeJob(name string) *ir.Job {
	e := b.spec.Environments[name]
	j := b.job("smoke-"+name, "Smoke test "+name, ir.StageSmoke, "environments", name, "smoke")
	j.Image = e.SmokeImage
	j.Workspace = false
	need(j, "deploy-"+name, "", "")
	env := map[string]string{"MLC_ENVIRONMENT": name}
	if e.URL != "" {
		env["MLC_URL"] = e.URL
	}
	st := b.script("smoke", "Smoke test", e.Smoke, "", env, nil)
	st.Dir = ""
	j.Steps = append(j.Steps, st)
	return j
}

// lastJobOf is the job that finishes an environment: its smoke test, or
// its deployment when it has none.
func (b *builder) lastJobOf(env string) string {
	if e, ok := b.spec.Environments[env]; ok && e.Smoke != "" {
		return "smoke-" + env
	}
	return "deploy-" + env
}

// finalEnvironment is the environment at the end of the promotion chain
// that deploys model: the one whose tags are "production" for baselines and
// drift references.
func (s *Spec) finalEnvironment(model string) (string, bool) {
	if s.finals == nil {
		s.finals = map[string]string{}
		promoted := map[string]bool{}
		for _, e := range s.Environments {
			if e.After != "" {
				promoted[e.After] = true
			}
		}
		for _, name := range slices.Sorted(maps.Keys(s.Environments)) {
			e := s.Environments[name]
			if m := modelOf(s.Apps[e.App]); !promoted[name] && s.finals[m] == "" {
				s.finals[m] = name // the first, by name
			}
		}
	}
	env, ok := s.finals[model]
	return env, ok
}

func modelOf(a *App) string {
	if a == nil {
		return ""
	}
	return a.Model
}
