package conformance

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/robfig/cron/v3"
	"github.com/tektoncd/pipeline/pkg/apis/config"
	v1 "github.com/tektoncd/pipeline/pkg/apis/pipeline/v1"
	"go.yaml.in/yaml/v3"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"knative.dev/pkg/apis"
	kjson "sigs.k8s.io/json"
)

// goldenGlob finds every file the Tekton target generated for the
// fixture and the examples.
const goldenGlob = "../../golden/*/tekton"

// validationContext enables exactly the API level mlc's output needs:
// "stable". Anything alpha or beta in a manifest fails validation instead of
// being accepted or silently skipped (TestContextRejectsBetaFields).
func validationContext(t *testing.T) context.Context {
	t.Helper()
	flags, err := config.NewFeatureFlagsFromMap(map[string]string{"enable-api-fields": config.StableAPIFields})
	if err != nil {
		t.Fatal(err)
	}
	defaults, err := config.NewDefaultsFromMap(map[string]string{})
	if err != nil {
		t.Fatal(err)
	}
	return config.ToContext(context.Background(), &config.Config{FeatureFlags: flags, Defaults: defaults})
}

// report collects problems, so negative tests can inspect them.
type report struct{ problems []string }

func (r *report) errorf(format string, args ...any) {
	r.problems = append(r.problems, fmt.Sprintf(format, args...))
}

// document is one YAML document of a generated file.
type document struct {
	where string         // file and document index, for messages
	raw   map[string]any // as generated
}

func (d document) kind() string { s, _ := d.raw["kind"].(string); return s }

// TestGoldenManifests decodes every generated object strictly into the
// engine's Go types, runs Tekton's validation on Tekton objects, and checks
// that nothing mlc wrote is lost in a decode/encode round trip.
func TestGoldenManifests(t *testing.T) {
	dirs, err := filepath.Glob(goldenGlob)
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden directories match %s (%v)", goldenGlob, err)
	}
	ctx := validationContext(t)
	for _, dir := range dirs {
		docs := readDir(t, dir)
		t.Run(filepath.Base(filepath.Dir(dir)), func(t *testing.T) {
			r := &report{}
			for _, d := range docs {
				checkDocument(ctx, r, d)
			}
			checkReferences(r, docs)
			for _, p := range r.problems {
				t.Error(p)
			}
		})
	}
}

func checkDocument(ctx context.Context, r *report, d document) {
	switch d.kind() {
	case "Pipeline":
		p := decodeStrict[v1.Pipeline](r, d)
		p.SetDefaults(ctx)
		reportFieldError(r, d, p.Validate(ctx))
	case "PipelineRun":
		pr := decodeStrict[v1.PipelineRun](r, d)
		if pr.Name == "" {
			// The API server fills the name from generateName before
			// admission; validation needs one.
			pr.Name = pr.GenerateName + "x"
		}
		pr.SetDefaults(ctx)
		reportFieldError(r, d, pr.Validate(ctx))
	case "ConfigMap":
		cm := decodeStrict[corev1.ConfigMap](r, d)
		for _, key := range slices.Sorted(maps.Keys(cm.Data)) {
			for _, inner := range splitDocuments(r, d.where+" data "+key, []byte(cm.Data[key])) {
				if inner.kind() != "PipelineRun" {
					r.errorf("%s: holds a %s, want a PipelineRun", inner.where, inner.kind())
				}
				checkDocument(ctx, r, inner)
			}
		}
	case "CronJob":
		cj := decodeStrict[batchv1.CronJob](r, d)
		if _, err := cron.ParseStandard(cj.Spec.Schedule); err != nil {
			r.errorf("%s: schedule: %v", d.where, err)
		}
	case "ServiceAccount":
		decodeStrict[corev1.ServiceAccount](r, d)
	case "Role":
		decodeStrict[rbacv1.Role](r, d)
	case "RoleBinding":
		decodeStrict[rbacv1.RoleBinding](r, d)
	default:
		r.errorf("%s: unexpected kind %q", d.where, d.kind())
	}
}

// decodeStrict decodes d into T rejecting unknown fields, then encodes it
// again and checks every value of the original is still there.
func decodeStrict[T any](r *report, d document) *T {
	obj := new(T)
	data, err := json.Marshal(d.raw)
	if err != nil {
		r.errorf("%s: %v", d.where, err)
		return obj
	}
	// Kubernetes' strict decoder: unknown fields and keys that differ only
	// in case (which encoding/json would accept) are errors.
	strict, err := kjson.UnmarshalStrict(data, obj)
	if err = errors.Join(append(strict, err)...); err != nil {
		r.errorf("%s: strict decoding as %T: %v", d.where, obj, err)
		return obj
	}
	again, err := json.Marshal(obj)
	var round map[string]any
	if err == nil {
		err = json.Unmarshal(again, &round)
	}
	if err != nil {
		r.errorf("%s: re-encoding: %v", d.where, err)
		return obj
	}
	for _, lost := range missing(d.raw, round, "") {
		r.errorf("%s: %s was lost in the round trip through %T", d.where, lost, obj)
	}
	return obj
}

// missing lists the paths of leaves of want that got lacks or holds with
// another value. Extra fields in got (defaults, zero structs) are fine.
func missing(want, got any, path string) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{path}
		}
		var out []string
		for _, k := range slices.Sorted(maps.Keys(w)) {
			out = append(out, missing(w[k], g[k], path+"."+k)...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{path}
		}
		var out []string
		for i := range w {
			out = append(out, missing(w[i], g[i], fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return []string{fmt.Sprintf("%s (%v, now %v)", path, want, got)}
	}
	return nil
}

func reportFieldError(r *report, d document, err *apis.FieldError) {
	if err != nil {
		r.errorf("%s: Tekton validation: %v", d.where, err)
	}
}

// checkReferences checks what Tekton only notices at run time: a run
// template names a Pipeline of the output, sets only declared parameters,
// configures existing tasks, and runs them as a ServiceAccount mlc renders.
func checkReferences(r *report, docs []document) {
	pipelines := map[string]v1.Pipeline{}
	accounts := map[string]bool{}
	var runs []document
	for _, d := range docs {
		switch d.kind() {
		case "Pipeline":
			p := decodeStrict[v1.Pipeline](&report{}, d)
			pipelines[p.Name] = *p
		case "ServiceAccount":
			accounts[decodeStrict[corev1.ServiceAccount](&report{}, d).Name] = true
		case "PipelineRun":
			runs = append(runs, d)
		case "ConfigMap":
			cm := decodeStrict[corev1.ConfigMap](&report{}, d)
			for _, key := range slices.Sorted(maps.Keys(cm.Data)) {
				runs = append(runs, splitDocuments(&report{}, d.where+" data "+key, []byte(cm.Data[key]))...)
			}
		}
	}
	for _, d := range runs {
		pr := decodeStrict[v1.PipelineRun](&report{}, d)
		if pr.Spec.PipelineRef == nil {
			r.errorf("%s: no pipelineRef", d.where)
			continue
		}
		p, ok := pipelines[pr.Spec.PipelineRef.Name]
		if !ok {
			r.errorf("%s: pipelineRef %q names no generated Pipeline", d.where, pr.Spec.PipelineRef.Name)
			continue
		}
		declared := map[string]bool{}
		for _, ps := range p.Spec.Params {
			declared[ps.Name] = true
		}
		for _, param := range pr.Spec.Params {
			if !declared[param.Name] {
				r.errorf("%s: sets parameter %q, which pipeline %s does not declare", d.where, param.Name, p.Name)
			}
		}
		tasks := map[string]bool{}
		for _, task := range append(p.Spec.Tasks, p.Spec.Finally...) {
			tasks[task.Name] = true
		}
		for _, trs := range pr.Spec.TaskRunSpecs {
			if !tasks[trs.PipelineTaskName] {
				r.errorf("%s: taskRunSpecs names task %q, not in pipeline %s", d.where, trs.PipelineTaskName, p.Name)
			}
			if trs.ServiceAccountName != "" && !accounts[trs.ServiceAccountName] {
				r.errorf("%s: task %s runs as ServiceAccount %q, which is not generated", d.where, trs.PipelineTaskName, trs.ServiceAccountName)
			}
		}
	}
}

// TestContextRejectsBetaFields proves the validation context is strict: a
// beta field (onError on a pipeline task) fails under it.
func TestContextRejectsBetaFields(t *testing.T) {
	p := v1.Pipeline{Spec: v1.PipelineSpec{Tasks: []v1.PipelineTask{{
		Name:     "a",
		OnError:  v1.PipelineTaskContinue,
		TaskSpec: &v1.EmbeddedTask{TaskSpec: v1.TaskSpec{Steps: []v1.Step{{Name: "s", Image: "busybox", Script: "true"}}}},
	}}}}
	p.Name = "p"
	if err := p.Spec.Validate(validationContext(t)); err == nil || !strings.Contains(err.Error(), "beta") {
		t.Fatalf("a beta field passed validation: %v", err)
	}
}

func readDir(t *testing.T, dir string) []document {
	t.Helper()
	var docs []document
	err := filepath.WalkDir(dir, func(path string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		r := &report{}
		docs = append(docs, splitDocuments(r, path, data)...)
		if len(r.problems) > 0 {
			return errors.New(strings.Join(r.problems, "; "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(docs) == 0 {
		t.Fatalf("%s holds no manifests", dir)
	}
	return docs
}

func splitDocuments(r *report, where string, data []byte) []document {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var docs []document
	for i := 0; ; i++ {
		var raw map[string]any
		err := dec.Decode(&raw)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			r.errorf("%s: document %d: %v", where, i, err)
			return docs
		}
		docs = append(docs, document{where: fmt.Sprintf("%s #%d (%s %v)", where, i, raw["kind"], name(raw)), raw: raw})
	}
}

func name(raw map[string]any) any {
	m, _ := raw["metadata"].(map[string]any)
	if n := m["name"]; n != nil {
		return n
	}
	return m["generateName"]
}

// TestChecksCatchMistakes feeds manifests with typical mistakes through the
// same checks the golden files pass, so a green run means something.
func TestChecksCatchMistakes(t *testing.T) {
	ctx := validationContext(t)
	for want, manifest := range map[string]string{
		`unknown field "spec.tasks[0].runafter"`: `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks:
    - name: a
      runafter: [b]
      taskSpec: {steps: [{name: s, image: busybox, command: ["true"]}]}
`,
		`invalid value "Bad_Name"`: `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks:
    - name: Bad_Name
      taskSpec: {steps: [{name: s, image: busybox, command: ["true"]}]}
`,
		"non-existent variable": `
apiVersion: tekton.dev/v1
kind: Pipeline
metadata: {name: p}
spec:
  tasks:
    - name: a
      taskSpec: {steps: [{name: s, image: busybox, command: ["echo", "$(params.nope)"]}]}
`,
		"names no generated Pipeline": `
apiVersion: tekton.dev/v1
kind: PipelineRun
metadata: {generateName: p-}
spec:
  pipelineRef: {name: elsewhere}
`,
		`unknown field "spec.schedul"`: `
apiVersion: batch/v1
kind: CronJob
metadata: {name: c}
spec: {schedul: "0 * * * *", jobTemplate: {spec: {template: {spec: {containers: []}}}}}
`,
	} {
		r := &report{}
		docs := splitDocuments(r, "test", []byte(manifest))
		for _, d := range docs {
			checkDocument(ctx, r, d)
		}
		checkReferences(r, docs)
		if got := strings.Join(r.problems, "\n"); !strings.Contains(got, want) {
			t.Errorf("want a problem containing %q, got:\n%s", want, got)
		}
	}
}

func TestMissingFindsLostFields(t *testing.T) {
	want := map[string]any{"spec": map[string]any{"retries": 2, "params": []any{"a", "b"}, "name": "x"}}
	got := map[string]any{"spec": map[string]any{"retries": 2, "params": []any{"a"}, "extra": true}}
	lost := missing(want, got, "")
	if len(lost) != 2 || !strings.HasPrefix(lost[0], ".spec.name") || lost[1] != ".spec.params" {
		t.Errorf("missing = %q", lost)
	}
}
