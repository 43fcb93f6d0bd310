package compiler

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// trainJob pulls the model's datasets, trains, and pushes the candidate
// model; evaluation decides whether it becomes a version.
func (b *builder) trainJob(name string) *ir.Job {
	m := b.spec.Models[name]
	t := m.Train
	j := b.job("train-"+name, "Train "+name, ir.StageTrain, "models", name, "train")
	j.Image = t.Image
	j.Resources = resources(t.Resources)
	j.Retries = t.Retries
	j.Timeout = duration(t.Timeout)
	b.useRegistry(j, true)
	paths := b.pullInputs(j, t.Code, t.Data)
	paths["MLC_MODEL_DIR"] = modelDir(name)
	env := copyEnv(t.Env)
	if len(t.Params) > 0 {
		params, _ := json.Marshal(t.Params) // map keys marshal sorted
		env["MLC_PARAMS"] = string(params)
	}
	train := withSecrets(j, b.script("train", "Train", t.Run, t.Dir, env, paths), t.Secrets...)
	train.GPU = j.Resources.GPU > 0
	j.Steps = append(j.Steps, train,
		b.mlc("push", "Push candidate", "push", "model", modelDir(name), b.ref("model", name, "candidate-${MLC_REVISION}")))
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactModel, FromStep: "push"}}
	return j
}

// evaluateJob runs the user's evaluation on the candidate, applies the
// metric, regression and fairness gates, then registers the model: pushes
// it as a version with its metrics and provenance, and signs it.
func (b *builder) evaluateJob(name string) *ir.Job {
	m := b.spec.Models[name]
	e := m.Evaluate
	j := b.job("evaluate-"+name, "Evaluate and register "+name, ir.StageEvaluate, "models", name, "evaluate")
	j.Image = e.Image
	if j.Image == "" {
		j.Image = m.Train.Image
	}
	b.useRegistry(j, true)
	need(j, "train-"+name, "ref", "MLC_CANDIDATE")
	j.Steps = append(j.Steps, b.mlc("pull-candidate", "Pull candidate", "pull", "${MLC_CANDIDATE}", modelDir(name)))
	paths := b.pullInputs(j, m.Train.Code, m.Train.Data)
	paths["MLC_MODEL_DIR"] = modelDir(name)
	metrics, predictions := evalDir(name)+"/metrics.json", evalDir(name)+"/predictions.csv"
	paths["MLC_METRICS"], paths["MLC_PREDICTIONS"] = metrics, predictions
	j.Steps = append(j.Steps, withSecrets(j, b.script("evaluate", "Evaluate", e.Run, m.Train.Dir, copyEnv(m.Train.Env), paths), m.Train.Secrets...))

	var baseline string
	if env, ok := b.spec.finalEnvironment(name); ok {
		baseline = b.ref("model", name, env)
	}
	var firstRelease []string
	if e.FirstRelease {
		firstRelease = []string{"--first-release"}
	}
	if gate := b.metricsCheck(metrics, e.MetricGates, baseline, firstRelease...); len(gate) > 3 {
		j.Steps = append(j.Steps, b.mlc("gates", "Metric gates", gate...))
	}
	if f := e.Fairness; f != nil {
		j.Steps = append(j.Steps, b.mlc("fairness", "Fairness gate", "check", "fairness", predictions,
			"--protected", strings.Join(f.Protected, ","), "--label", f.Label, "--prediction", f.Prediction,
			"--max-"+strings.ReplaceAll(f.Metric, "_", "-"), num(f.Max),
			// Only the spec's metric gates a model; the four-fifths rule
			// is a data test (datasets.NAME.fairness).
			"--min-disparate-impact", "0"))
	}

	ref := b.ref("model", name, "${MLC_REVISION}")
	push := []string{"push", "model", modelDir(name), ref, "--metrics", metrics}
	for _, d := range m.Train.Data {
		push = append(push, "--from-dataset", "${MLC_DATASET_"+envName(d)+"}")
	}
	if m.Train.Code != "" {
		push = append(push, "--from-code", "${MLC_CODE_"+envName(m.Train.Code)+"}")
	}
	for _, k := range slices.Sorted(maps.Keys(m.Train.Params)) {
		push = append(push, "--param", k+"="+fmt.Sprint(m.Train.Params[k]))
	}
	j.Steps = append(j.Steps, b.signedPush(j, "register", "Register model", push...))
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactModel, FromStep: "register"}}
	return j
}

// metricsCheck is mlc check metrics of file against g: its thresholds, and
// its no_regression metrics against baseline, the model in production
// (extra: flags after it, such as --first-release).
func (b *builder) metricsCheck(file string, g MetricGates, baseline string, extra ...string) []string {
	args := []string{"check", "metrics", file}
	for _, metric := range slices.Sorted(maps.Keys(g.Gates)) {
		args = append(args, "--gate", metric+strings.Join(strings.Fields(g.Gates[metric]), ""))
	}
	if len(g.NoRegression) == 0 {
		return args
	}
	if baseline != "" {
		args = append(append(append(args, "--baseline", baseline), b.trustArgs()...), extra...)
	}
	for _, metric := range g.NoRegression {
		args = append(args, "--no-regression", metric+":"+num(g.Tolerance))
	}
	return args
}

// pullInputs makes j need the code and dataset jobs, pulls each dataset
// by digest, and returns the env paths the user's script gets.
func (b *builder) pullInputs(j *ir.Job, code string, data []string) map[string]string {
	paths := map[string]string{}
	if code != "" {
		need(j, "code-"+code, "ref", "MLC_CODE_"+envName(code))
	}
	for _, d := range data {
		env := "MLC_DATASET_" + envName(d)
		need(j, "dataset-"+d, "ref", env)
		j.Steps = append(j.Steps, b.mlc("pull-"+d, "Pull dataset "+d, "pull", "${"+env+"}", dataDir(d)))
		paths["MLC_DATA_"+envName(d)] = dataDir(d)
	}
	return paths
}

func copyEnv(env map[string]string) map[string]string {
	out := make(map[string]string, len(env)+1)
	for k, v := range env {
		out[k] = v
	}
	return out
}
