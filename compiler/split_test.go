package compiler

import (
	"maps"
	"slices"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

// TestSplitDelivery: split: "model" gives each group of models its own
// ci and delivery workflow; a step after two models ties them into one
// group, the dataset every model trains on is copied into each delivery
// (and tested once, in the first ci), a dataset no model uses goes to the
// first group, each workflow starts on a push to its own paths only, and
// drift of the shared dataset retrains every group.
func TestSplitDelivery(t *testing.T) {
	dir := writeSpec(t, map[string]string{"pipeline.cue": `package pipeline

name: "p"
registry: "registry.example/ml"
split: "model"
triggers: {push: branches: ["main"], pull_request: {}}
datasets: {
	shared: source: local: path: "data/shared"
	a: source: local: path: "data/a"
	b: source: local: path: "data/b"
	unused: source: local: path: "data/unused"
}
_m: {
	train: {image: "python:3.12-slim", run: "python train.py"}
	evaluate: {run: "python eval.py", gates: accuracy: ">= 0.9"}
}
models: {
	ma: _m & {train: {data: ["shared", "a"], dir: "ma"}}
	mb: _m & {train: {data: ["shared", "b"], dir: "mb"}}
	mc: _m & {train: {data: ["shared"], dir: "mc"}}
}
apps: api: {model: "ma", image: context: "svc"}
environments: {
	staging: app: "api"
	production: {app: "api", after: "staging", approval: true}
}
steps: compare: {image: "python:3.12-slim", run: "python compare.py", after: ["models.mb", "models.mc"]}
monitor: {
	schedule: "0 * * * *"
	drift: {reference: "shared", current: local: path: "live"}
	on_drift: "retrain"
}
`})
	p, err := CompileWith(dir, Options{Engines: allEngines()})
	if err != nil {
		t.Fatal(err)
	}
	workflows := map[string]*ir.Workflow{}
	for _, w := range p.Workflows {
		workflows[w.Name] = w
	}
	if got, want := slices.Sorted(maps.Keys(workflows)), []string{"p-ci-ma", "p-ci-mb", "p-delivery-ma", "p-delivery-mb", "p-monitor"}; !slices.Equal(got, want) {
		t.Fatalf("workflows %v, want %v", got, want)
	}
	jobIDs := func(w *ir.Workflow) []string {
		var ids []string
		for _, j := range w.Jobs {
			ids = append(ids, j.ID)
		}
		return slices.Sorted(slices.Values(ids))
	}
	for name, want := range map[string][]string{
		"p-delivery-ma": {"dataset-a", "dataset-shared", "dataset-unused", "deploy-production", "deploy-staging", "evaluate-ma", "model-ma", "package-api", "train-ma", "version"},
		"p-delivery-mb": {"dataset-b", "dataset-shared", "evaluate-mb", "evaluate-mc", "step-compare", "train-mb", "train-mc", "version"},
		"p-ci-ma":       {"dataset-a", "dataset-shared", "dataset-unused"},
		"p-ci-mb":       {"dataset-b"},
	} {
		if got := jobIDs(workflows[name]); !slices.Equal(got, want) {
			t.Errorf("%s jobs %v, want %v", name, got, want)
		}
	}
	job := func(w, id string) *ir.Job {
		for _, j := range workflows[w].Jobs {
			if j.ID == id {
				return j
			}
		}
		t.Fatalf("%s has no job %s", w, id)
		return nil
	}
	// In ma's workflow only ma trains on the shared dataset: it runs when
	// ma's stage is affected; in mb's, two models do: it always runs.
	if c := job("p-delivery-ma", "dataset-shared").Condition.WhenOutput; c == nil || c.Output != "models_ma" {
		t.Errorf("dataset-shared in p-delivery-ma runs on %+v, want models.ma's verdict", c)
	}
	if c := job("p-delivery-mb", "dataset-shared").Condition.WhenOutput; c != nil {
		t.Errorf("dataset-shared in p-delivery-mb runs on %+v, want always", c)
	}
	if paths := workflows["p-delivery-mb"].Triggers.Push.Paths; slices.Contains(paths, "ma") || slices.Contains(paths, "data/a") || !slices.Contains(paths, "mb") || !slices.Contains(paths, "data/shared") || !slices.Contains(paths, "pipeline.cue") {
		t.Errorf("p-delivery-mb starts on pushes to %v", paths)
	}
	var triggers []string
	for _, st := range job("p-monitor", "retrain").Steps {
		if st.Kind == ir.StepTrigger {
			triggers = append(triggers, st.Triggers...)
		}
	}
	if want := []string{"p-delivery-ma", "p-delivery-mb"}; !slices.Equal(triggers, want) {
		t.Errorf("retrain starts %v, want %v", triggers, want)
	}
	// Two workflows copy the shared dataset's job, not share it.
	if job("p-delivery-ma", "dataset-shared") == job("p-delivery-mb", "dataset-shared") {
		t.Error("the delivery workflows share one job value")
	}
}

// TestSplitGroupNamesAreUnique: a model named like a group of steps alone
// ("step-<step>") does not share its workflow name.
func TestSplitGroupNamesAreUnique(t *testing.T) {
	dir := writeSpec(t, map[string]string{"pipeline.cue": base + `split: "model"
models: "step-check": models.m
steps: check: {image: "python:3.12-slim", run: "python check.py", after: ["datasets.d"]}
`})
	p, err := Compile(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range p.Workflows {
		names = append(names, w.Name)
	}
	if want := []string{"p-delivery-m", "p-delivery-step-check", "p-delivery-step-check-2"}; !slices.Equal(names, want) {
		t.Errorf("workflows %v, want %v", names, want)
	}
}

// TestSplitBatch: with a split delivery, each group's batch apps score in
// a batch workflow of their own, beside the group's delivery, with only
// the datasets they score and their own schedules.
func TestSplitBatch(t *testing.T) {
	dir := writeSpec(t, map[string]string{"pipeline.cue": `package pipeline

name: "p"
registry: "registry.example/ml"
split: "model"
datasets: {
	train: source: local: path: "data/train"
	daily: source: local: path: "data/daily"
	weekly: source: local: path: "data/weekly"
}
_m: {
	train: {image: "python:3.12-slim", run: "python train.py", data: ["train"]}
	evaluate: {run: "python eval.py", gates: accuracy: ">= 0.9"}
}
models: {ma: _m, mb: _m, mc: _m}
_batch: {image: "python:3.12-slim", run: "python score.py"}
apps: {
	a: {model: "ma", image: context: "a", prediction: ["batch"], batch: _batch & {data: "daily", schedule: "0 1 * * *"}}
	b: {model: "mb", image: context: "b", prediction: ["batch"], batch: _batch & {data: "weekly", schedule: "0 2 * * 0"}}
	c: {model: "mc", image: context: "c"}
}
environments: {
	pa: app: "a"
	pb: app: "b"
	pc: app: "c"
}
`})
	p, err := CompileWith(dir, Options{Engines: allEngines()})
	if err != nil {
		t.Fatal(err)
	}
	batch := map[string]*ir.Workflow{}
	for _, w := range p.Workflows {
		if w.Kind == ir.WorkflowBatch {
			batch[w.Name] = w
		}
	}
	if got, want := slices.Sorted(maps.Keys(batch)), []string{"p-batch-ma", "p-batch-mb"}; !slices.Equal(got, want) {
		t.Fatalf("batch workflows %v, want %v (mc's app scores nothing)", got, want)
	}
	for name, want := range map[string][]string{
		"p-batch-ma": {"dataset-daily", "model-a", "score-a", "version"},
		"p-batch-mb": {"dataset-weekly", "model-b", "score-b", "version"},
	} {
		var ids []string
		for _, j := range batch[name].Jobs {
			ids = append(ids, j.ID)
		}
		if slices.Sort(ids); !slices.Equal(ids, want) {
			t.Errorf("%s jobs %v, want %v", name, ids, want)
		}
	}
	if s := batch["p-batch-mb"].Triggers.Schedules; len(s) != 1 || s[0].Cron != "0 2 * * 0" {
		t.Errorf("p-batch-mb schedules %+v, want b's weekly one only", s)
	}
}
