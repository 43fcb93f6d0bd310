package compiler

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/mlc-project/mlc/internal/golden"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
	"github.com/mlc-project/mlc/targets/argo"
	"github.com/mlc-project/mlc/targets/github"
	"github.com/mlc-project/mlc/targets/tekton"
)

// base is a valid spec the broken cases start from.
const base = `package pipeline

name: "p"
datasets: d: source: local: path: "data"
models: m: {
	train: {data: ["d"], image: "python:3.12-slim", run: "python train.py"}
	evaluate: {run: "python eval.py", gates: accuracy: ">= 0.9"}
}
`

func writeSpec(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// TestBrokenSpecs compiles every case of testdata/broken, a txtar archive
// of spec files and the error ("-- error --") compiling them must give,
// for every engine: it fails with exactly that error, positioned, as cue's
// and actionlint's cases do. A case is added by adding a file; go test
// ./compiler -update writes its error.
func TestBrokenSpecs(t *testing.T) {
	cases, err := filepath.Glob("testdata/broken/*.txtar")
	if err != nil || len(cases) == 0 {
		t.Fatalf("no cases in testdata/broken: %v", err)
	}
	for _, path := range cases {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files, want, spec := map[string]string{}, "", ar.Files[:0:0]
			for _, f := range ar.Files {
				if f.Name == "error" {
					want = string(f.Data)
					continue
				}
				files[f.Name] = string(f.Data)
				spec = append(spec, f)
			}
			dir := writeSpec(t, files)
			p, err := CompileWith(dir, Options{Engines: allEngines()})
			if err == nil {
				t.Fatalf("compiled a broken spec: %d workflows", len(p.Workflows))
			}
			var es Errors
			var e *Error
			if !errors.As(err, &es) && !errors.As(err, &e) {
				t.Fatalf("error is %T, not a positioned spec error: %v", err, err)
			}
			got := strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), "") + "\n"
			if !regexp.MustCompile(`(?m)^pipeline\.cue:\d+:\d+: `).MatchString(got) {
				t.Errorf("error has no file:line:col:\n%s", got)
			}
			if golden.Update() {
				ar.Files = append(spec, txtar.File{Name: "error", Data: []byte(got)})
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if got != want {
				t.Errorf("error:\n%s\nwant (-- error -- of %s; go test ./compiler -update if intended):\n%s", got, path, want)
			}
		})
	}
}

// Nesting too deep for the evaluator is refused at its position (a case
// generated here: 20,000 levels would be a 100 KB file).
func TestDeepNesting(t *testing.T) {
	spec := base + "_x: " + strings.Repeat("{a: ", 20000) + "1" + strings.Repeat("}", 20000) + "\n"
	_, err := Compile(writeSpec(t, map[string]string{"pipeline.cue": spec}))
	if err == nil || !strings.Contains(err.Error(), "pipeline.cue:9:") || !strings.Contains(err.Error(), "exceeds maximum nesting depth") {
		t.Errorf("deep nesting: %v", err)
	}
}

func TestNoCueFiles(t *testing.T) {
	_, err := Compile(t.TempDir())
	if err == nil || !strings.Contains(err.Error(), "mlc init") {
		t.Fatalf("err = %v", err)
	}
}

func TestSpecSpreadOverFilesAndTags(t *testing.T) {
	dir := writeSpec(t, map[string]string{
		"pipeline.cue": base,
		"local.cue":    "@if(local)\npackage pipeline\n\nregistry: \"oci:/tmp/store\"\n",
	})
	p, err := Compile(dir)
	if err != nil {
		t.Fatal(err)
	}
	if p.Registry != "oci:.mlc/store" {
		t.Errorf("untagged registry = %q", p.Registry)
	}
	p, err = CompileWith(dir, Options{Tags: []string{"local"}})
	if err != nil {
		t.Fatal(err)
	}
	if p.Registry != "oci:/tmp/store" || !strings.Contains(p.Source, "local.cue") {
		t.Errorf("tagged: registry %q, source %q", p.Registry, p.Source)
	}
}

// TestCreditRiskGraph pins the shape of the example's delivery graph: the
// order of stages and what each job consumes.
func TestCreditRiskGraph(t *testing.T) {
	p, err := Compile(filepath.Join(golden.Root(), "examples", "credit-risk"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, w := range p.Workflows {
		names = append(names, w.Name)
	}
	if got := strings.Join(names, ","); got != "credit-risk-batch,credit-risk-ci,credit-risk-delivery,credit-risk-monitor" {
		t.Fatalf("workflows = %s", got)
	}
	d := p.Workflows[2]
	jobs := map[string]*ir.Job{}
	var order []string
	for _, j := range d.Jobs {
		jobs[j.ID] = j
		order = append(order, j.ID)
	}
	want := "version,code-trainer,dataset-credit,train-scorer,evaluate-scorer,model-scorer,package-api,deploy-staging,smoke-staging,deploy-production,smoke-production"
	if strings.Join(order, ",") != want {
		t.Errorf("job order\n got %s\nwant %s", strings.Join(order, ","), want)
	}
	if a := jobs["deploy-production"].Approval; a == nil || a.Environment != "production" {
		t.Errorf("production has no approval: %+v", a)
	}
	if jobs["deploy-staging"].Approval != nil {
		t.Error("staging deploys continuously, yet has an approval")
	}
	tr := jobs["train-scorer"]
	if tr.Resources.GPU != 1 || tr.Retries != 2 || tr.Timeout.Hours() != 12 {
		t.Errorf("train resources %+v retries %d timeout %v", tr.Resources, tr.Retries, tr.Timeout)
	}
	ev := jobs["evaluate-scorer"]
	var gates []string
	for _, st := range ev.Steps {
		if st.ID == "gates" {
			gates = st.Args
		}
	}
	if g := strings.Join(gates, " "); !strings.Contains(g, "--gate accuracy>=0.80") || !strings.Contains(g, "--baseline ${MLC_REGISTRY}/credit-risk-model-scorer:production") || !strings.Contains(g, "--no-regression accuracy:0.01") {
		t.Errorf("gate step: %s", g)
	}
	// The PR workflow publishes nothing.
	for _, j := range p.Workflows[1].Jobs {
		if len(j.Outputs) > 0 || len(j.Permissions) > 0 || len(j.Secrets) > 2 {
			t.Errorf("ci job %s publishes: outputs %v permissions %v secrets %v", j.ID, j.Outputs, j.Permissions, j.Secrets)
		}
	}
	// Secrets reach only the steps that use them.
	for _, st := range jobs["code-trainer"].Steps {
		if st.Kind == ir.StepScript && len(st.Secrets) > 0 {
			t.Errorf("user script %s sees secrets %v", st.ID, st.Secrets)
		}
	}
	// Batch scores new applicants (a dataset delivery does not version)
	// with the model production runs, by the digest verified.
	batch := map[string]*ir.Job{}
	for _, j := range p.Workflows[0].Jobs {
		batch[j.ID] = j
	}
	if _, ok := jobs["dataset-applicants"]; ok {
		t.Error("delivery versions applicants, which only batch scores")
	}
	verify, score := batch["model-api"], batch["score-api"]
	if verify == nil || score == nil || batch["dataset-applicants"] == nil {
		t.Fatalf("batch jobs: %v", order)
	}
	if args := strings.Join(verify.Steps[0].Args, " "); !strings.HasPrefix(args, "verify ${MLC_REGISTRY}/credit-risk-model-scorer:production --key") || verify.Outputs[0].FromStep != "verify" {
		t.Errorf("production model: %s", args)
	}
	push := score.Steps[len(score.Steps)-1]
	if args := strings.Join(push.Args, " "); !strings.Contains(args, "--from-model ${MLC_MODEL} --from-dataset ${MLC_DATASET_APPLICANTS} --version ${MLC_VERSION} --channel ${MLC_CHANNEL} --sign") ||
		score.Steps[len(score.Steps)-2].ID != "check" || score.Steps[0].Args[1] != "${MLC_MODEL}" {
		t.Errorf("score steps: %v; push %s", score.Steps, args)
	}
	monitor := map[string]*ir.Job{}
	for _, j := range p.Workflows[3].Jobs {
		monitor[j.ID] = j
	}
	if r := monitor["retrain"]; r == nil || *r.Condition.WhenOutput != (ir.OutputEquals{Job: "drift", Output: "drift", Equals: "true"}) || r.Steps[len(r.Steps)-1].Kind != ir.StepTrigger {
		t.Errorf("retrain job is not conditional on drift: %+v", r)
	}
	if d := monitor["drift"]; d == nil || !slices.Contains(d.Steps[len(d.Steps)-1].Args, "--no-fail") {
		t.Errorf("drift check that retrains fails its job: %+v", d)
	}
	// on_quality alert: the quality check fails its job, in parallel with
	// the drift check, against the production model by its verified digest.
	q := monitor["quality"]
	if q == nil || len(q.Needs) != 0 || q.Condition.WhenOutput != nil || q.Image != "python:3.12-slim" {
		t.Fatalf("quality job: %+v", q)
	}
	var steps []string
	for _, st := range q.Steps {
		steps = append(steps, st.ID+": "+strings.Join(st.Args, " ")+st.Script)
	}
	wantSteps := []string{
		"fetch: fetch monitor.quality.data --spec . --out .mlc/work/monitor/labelled",
		"prepare: python prep.py",
		"pull-model: pull ${MLC_REGISTRY}/credit-risk-model-scorer:production .mlc/work/model/scorer --key cosign.pub",
		"score: python quality.py",
		"gates: check metrics .mlc/work/monitor/quality/metrics.json --gate accuracy>=0.80 --gate auc>=0.75 --baseline ${MLC_REGISTRY}/credit-risk-model-scorer:production --key cosign.pub --no-regression accuracy:0.05",
	}
	if !slices.Equal(steps, wantSteps) || q.Outputs[0] != (ir.Output{Name: "passed", Kind: ir.ArtifactValue, FromStep: "gates"}) {
		t.Errorf("quality steps:\n%s\nwant\n%s", strings.Join(steps, "\n"), strings.Join(wantSteps, "\n"))
	}
	if !slices.Equal(q.Steps[0].Secrets, []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}) || len(q.Steps[1].Secrets)+len(q.Steps[2].Secrets) != 0 {
		t.Errorf("secrets reach only the fetch: %v %v %v", q.Steps[0].Secrets, q.Steps[1].Secrets, q.Steps[2].Secrets)
	}
}

// TestQualityRetrains: when drift and quality both retrain, quality is
// checked only without drift, so one monitor run starts one delivery; the
// quality check's own gates default to the model's evaluate gates.
func TestQualityRetrains(t *testing.T) {
	dir := writeSpec(t, map[string]string{"pipeline.cue": base + `registry: "registry.example/ml"
apps: a: {model: "m", image: context: "svc"}
environments: prod: app: "a"
monitor: {
	schedule: "0 * * * *"
	drift: {reference: "d", current: local: path: "live"}
	on_drift: "retrain"
	quality: {model: "m", data: local: path: "outcomes", run: "python quality.py"}
	on_quality: "retrain"
}
`})
	p, err := CompileWith(dir, Options{Engines: allEngines()})
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[string]*ir.Job{}
	var mon *ir.Workflow
	for _, w := range p.Workflows {
		if strings.HasSuffix(w.Name, "-monitor") {
			mon = w
		}
	}
	for _, j := range mon.Jobs {
		jobs[j.ID] = j
	}
	q, r := jobs["quality"], jobs["retrain-quality"]
	if q == nil || r == nil || jobs["retrain"] == nil {
		t.Fatalf("monitor jobs: %v", slices.Collect(maps.Keys(jobs)))
	}
	if *q.Condition.WhenOutput != (ir.OutputEquals{Job: "drift", Output: "drift", Equals: "false"}) {
		t.Errorf("quality runs whatever drift says: %+v", q.Condition)
	}
	if *r.Condition.WhenOutput != (ir.OutputEquals{Job: "quality", Output: "passed", Equals: "false"}) || !slices.Equal(r.Steps[len(r.Steps)-1].Triggers, []string{"p-delivery"}) {
		t.Errorf("retrain-quality: %+v", r)
	}
	if gates := q.Steps[len(q.Steps)-1].Args; !slices.Contains(gates, "accuracy>=0.9") || !slices.Contains(gates, "--no-fail") {
		t.Errorf("quality gates: %v", gates)
	}
	if !strings.Contains(mon.Description, "drift and model quality") {
		t.Errorf("description %q", mon.Description)
	}
}

func TestKeylessSigning(t *testing.T) {
	dir := writeSpec(t, map[string]string{"pipeline.cue": base + `registry: "registry.example/ml"
signing: keyless: true
apps: a: {model: "m", image: context: "svc"}
environments: prod: app: "a"
`})
	if _, err := CompileWith(dir, Options{Engines: allEngines()}); err == nil || !strings.Contains(err.Error(), "signing.keyless: keyless signing needs the jobs' OIDC identity, which tekton and argo do not give") {
		t.Errorf("keyless for engines without an identity: %v", err)
	}
	p, err := CompileWith(dir, Options{Engines: []ir.Engine{github.Target{}.Engine()}})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range p.Workflows[0].Jobs {
		if len(j.Secrets) > 0 {
			t.Errorf("%s: keyless signing still uses secrets %v", j.ID, j.Secrets)
		}
		signs := false
		for _, st := range j.Steps {
			// The exact workflow file and ref that runs, not a prefix.
			if len(st.Args) > 0 && st.Args[0] == "verify" && !strings.Contains(strings.Join(st.Args, " "), "--certificate-identity ${GITHUB_SERVER_URL}/${GITHUB_WORKFLOW_REF} --certificate-oidc-issuer https://token.actions.githubusercontent.com") {
				t.Errorf("%s: keyless verify without the GitHub issuer: %v", j.ID, st.Args)
			}
			if len(st.Args) > 0 && st.Args[0] == "sign" {
				signs = true
				if st.Args[len(st.Args)-1] != "--keyless" {
					t.Errorf("%s: sign step %v", j.ID, st.Args)
				}
			}
		}
		if signs && !hasPermission(j, "id-token", "write") {
			t.Errorf("%s signs keylessly without id-token: write: %v", j.ID, j.Permissions)
		}
	}
}

func hasPermission(j *ir.Job, scope, access string) bool {
	for _, p := range j.Permissions {
		if p.Scope == scope && p.Access == access {
			return true
		}
	}
	return false
}

func TestDeployBranches(t *testing.T) {
	dir := writeSpec(t, map[string]string{"pipeline.cue": base + `apps: a: {model: "m", image: context: "svc"}
environments: prod: {app: "a", branches: ["main", "release"]}
`})
	p, err := Compile(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range p.Workflows[0].Jobs {
		got := strings.Join(j.Condition.OnlyBranches, ",")
		if want := map[bool]string{true: "main,release"}[j.ID == "deploy-prod"]; got != want {
			t.Errorf("%s: branches %q, want %q", j.ID, got, want)
		}
	}
}

// allEngines is what every target declares, as mlc vet checks it.
func allEngines() []ir.Engine {
	var all []ir.Engine
	for _, t := range []targets.Target{github.Target{}, tekton.Target{}, argo.Target{}} {
		all = append(all, t.Engine())
	}
	return all
}

// Every hit is reported where it was written, keys and values, not only
// the first; a target's syntax is refused only when compiling for it.
func TestReservedSyntaxEveryHit(t *testing.T) {
	spec := strings.Replace(base, `run: "python train.py"}`, `run: "python train.py ${{ github.token }}", params: {"${{ github.event.head_commit.message }}": "{{x}}"}}`, 1)
	dir := writeSpec(t, map[string]string{"pipeline.cue": spec})
	_, err := CompileWith(dir, Options{Engines: []ir.Engine{github.Target{}.Engine()}})
	var es Errors
	if !errors.As(err, &es) || len(es) != 2 {
		t.Fatalf("want 2 errors (the run value and the params key), got %v", err)
	}
	for _, e := range es {
		if e.Pos.Line() != 6 {
			t.Errorf("%v: not at line 6", e)
		}
	}
	if _, err := CompileWith(dir, Options{Engines: []ir.Engine{argo.Target{}.Engine()}}); err == nil || !strings.Contains(err.Error(), "params") {
		t.Errorf("argo: %v, want the params value refused", err)
	}
}

// Pull-request jobs get no secrets: fixtures stand in for the data, and
// only triggers.pull_request.secrets hands the secrets over.
func TestPullRequestJobsGetNoSecrets(t *testing.T) {
	spec := strings.Replace(base, `source: local: path: "data"`, `{source: http: url: "https://x.example/d.csv", secrets: ["TOKEN"]}`, 1) + "secrets: [\"TOKEN\"]\n"
	for _, tc := range []struct {
		pr          string
		wantSecrets bool
	}{{`triggers: pull_request: fixtures: "fixtures"`, false}, {`triggers: pull_request: secrets: true`, true}} {
		p, err := Compile(writeSpec(t, map[string]string{"pipeline.cue": spec + tc.pr + "\n"}))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range p.Workflows {
			if w.Triggers.PullRequest == nil {
				continue
			}
			for _, j := range w.Jobs {
				if got := len(j.Secrets) > 0; got != tc.wantSecrets {
					t.Errorf("%s: job %s has secrets %v", tc.pr, j.ID, j.Secrets)
				}
				if fetch := strings.Join(j.Steps[0].Args, " "); !tc.wantSecrets && !strings.HasSuffix(fetch, "--offline --fixtures fixtures") {
					t.Errorf("%s: fetch %s does not read the fixtures", tc.pr, fetch)
				}
			}
		}
	}
}

// A spec file name with a line break would end up in headers and errors.
func TestFileNameWithLineBreak(t *testing.T) {
	dir := writeSpec(t, map[string]string{"a\nb.cue": base})
	if _, err := Compile(dir); err == nil || !strings.Contains(err.Error(), `spec file name "a\nb.cue" holds a line break`) {
		t.Fatalf("compile: %v", err)
	}
}

// A 1 MB script compiles: big values are data, not a limit.
func TestMegabyteString(t *testing.T) {
	spec := strings.Replace(base, `python eval.py`, "python eval.py # "+strings.Repeat("x", 1<<20), 1)
	if _, err := Compile(writeSpec(t, map[string]string{"pipeline.cue": spec})); err != nil {
		t.Fatal(err)
	}
}

// Large specs stay bounded: a 5,000-environment cycle is found and
// reported in one line.
func TestLongCycle(t *testing.T) {
	var b strings.Builder
	b.WriteString(base + "apps: a: {model: \"m\", image: context: \"svc\"}\n")
	const n = 5000
	for i := range n {
		fmt.Fprintf(&b, "environments: e%d: {app: \"a\", after: \"e%d\"}\n", i, (i+n-1)%n)
	}
	_, err := Compile(writeSpec(t, map[string]string{"pipeline.cue": b.String()}))
	if err == nil || !strings.Contains(err.Error(), "dependency cycle: ") || !strings.Contains(err.Error(), "(4991 more)") || len(err.Error()) > 2000 {
		t.Fatalf("a 5,000-long cycle: %.500v", err)
	}
}

// TestRuntimeCommandsKeepTheTags: the mlc commands that read the spec at run
// time get the compile's build tags, so e2e.cue's endpoints count there too.
func TestRuntimeCommandsKeepTheTags(t *testing.T) {
	p, err := CompileWith(filepath.Join(golden.Root(), "examples", "credit-risk"), Options{Tags: []string{"e2e"}})
	if err != nil {
		t.Fatal(err)
	}
	readers := 0
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			for _, s := range j.Steps {
				if s.Kind != ir.StepMLC || !slices.Contains(s.Args, "--spec") {
					continue
				}
				readers++
				i := slices.Index(s.Args, "--spec")
				if !slices.Equal(s.Args[i:i+4], []string{"--spec", ".", "--tag", "e2e"}) {
					t.Errorf("%s/%s: %v, want --spec . --tag e2e", j.ID, s.ID, s.Args)
				}
			}
		}
	}
	if readers == 0 {
		t.Fatal("no step reads the spec")
	}
}

// Images named by tag get a warning at their position; by digest none.
func TestMutableImagesWarn(t *testing.T) {
	for image, want := range map[string]int{"python:3.12-slim": 1, "python:3.12-slim@sha256:" + strings.Repeat("a", 64): 0} {
		spec := strings.Replace(base, `image: "python:3.12-slim"`, `image: "`+image+`"`, 1)
		var got []*Error
		if _, err := CompileWith(writeSpec(t, map[string]string{"pipeline.cue": spec}), Options{Warn: func(e *Error) { got = append(got, e) }}); err != nil {
			t.Fatal(err)
		}
		if len(got) != want || (want == 1 && (got[0].Pos.Line() != 6 || got[0].Path != "models.m.train.image")) {
			t.Errorf("%s: warnings %v, want %d at models.m.train.image (line 6)", image, got, want)
		}
	}
}

// An image behind a default (a field set to *X | _, as a spec that other
// files may override writes) is the image that runs: it is warned about
// too, once per field, in the order of the file.
func TestMutableImagesWarnBehindDefaults(t *testing.T) {
	spec := strings.Replace(base, `image: "python:3.12-slim"`, `image: "python@sha256:`+strings.Repeat("a", 64)+`"`, 1) + `
apps: a: {model: "m", image: context: "svc"}
_deploy: {image: "kubectl:1.34", run: "kubectl apply -f k8s"}
environments: {
	prod: {app: "a", deploy: *_deploy | _, smoke_image: "curl:8"}
}
`
	var got []string
	if _, err := CompileWith(writeSpec(t, map[string]string{"pipeline.cue": spec}), Options{Warn: func(e *Error) { got = append(got, e.Path) }}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"environments.prod.deploy.image", "environments.prod.smoke_image"}; !slices.Equal(got, want) {
		t.Errorf("warnings at %v, want %v", got, want)
	}
}

// The images mlc defaults to (code CI, app base, batch scoring, smoke
// tests) are pinned: a spec that names none gets no warning.
func TestDefaultImagesArePinned(t *testing.T) {
	spec := strings.Replace(base, `image: "python:3.12-slim"`, `image: "python@sha256:`+strings.Repeat("a", 64)+`"`, 1) + `
code: c: {path: "c", test: "true"}
apps: a: {model: "m", image: context: "svc", prediction: ["online", "batch"], batch: {data: "d", run: "true"}}
environments: staging: {app: "a", smoke: "curl -f \"$MLC_URL\"", url: "http://a"}
`
	var got []*Error
	if _, err := CompileWith(writeSpec(t, map[string]string{"pipeline.cue": spec}), Options{Warn: func(e *Error) { got = append(got, e) }}); err != nil {
		t.Fatal(err)
	}
	for _, w := range got {
		t.Errorf("warning for a default: %v", w)
	}
}

func TestAppPackaging(t *testing.T) {
	packageJob := func(app string) *ir.Job {
		t.Helper()
		p, err := Compile(writeSpec(t, map[string]string{"pipeline.cue": base + app + "\nenvironments: prod: app: \"a\"\n"}))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range p.Workflows {
			for _, j := range w.Jobs {
				if j.ID == "package-a" {
					return j
				}
			}
		}
		t.Fatal("no package-a job")
		return nil
	}
	j := packageJob(`apps: a: {model: "m", image: {context: "svc", base: "scratch", cmd: ["python", "app.py"], env: {B: "2", A: "1"}, ports: [8080], platforms: ["linux/arm64"]}}`)
	var kinds []string
	for _, st := range j.Steps {
		kinds = append(kinds, string(st.Kind))
	}
	last := j.Steps[len(j.Steps)-1]
	want := "package a ${MLC_REGISTRY}/p-app-a:${MLC_REVISION} --base scratch --context svc --model-dir .mlc/work/model/m --workdir /app --user 65532 " +
		"--platform linux/arm64 --cmd python --cmd app.py --env A=1 --env B=2 --port 8080 --label dev.mlc.pipeline=p " +
		"--from-model ${MLC_MODEL} --version ${MLC_VERSION} --channel ${MLC_CHANNEL} --sign --key env://COSIGN_PRIVATE_KEY"
	if got := strings.Join(last.Args, " "); last.Kind != ir.StepMLC || got != want {
		t.Errorf("package step %s:\n got %s\nwant %s", last.Kind, got, want)
	}
	if pull := strings.Join(j.Steps[len(j.Steps)-2].Args, " "); !strings.HasPrefix(pull, "pull ${MLC_MODEL} .mlc/work/model/m --key") {
		t.Errorf("the model is not verified before it is packaged: %s", pull)
	}
	if slices.Contains(kinds, string(ir.StepBuildImage)) || j.Outputs[0].FromStep != "package" {
		t.Errorf("steps %v, output from %s: want mlc package, no engine build", kinds, j.Outputs[0].FromStep)
	}

	j = packageJob(`apps: a: {model: "m", image: {context: "svc", dockerfile: "svc/Dockerfile"}}`)
	if b := j.Steps[len(j.Steps)-2]; b.Kind != ir.StepBuildImage || b.Build.Dockerfile != "svc/Dockerfile" || j.Steps[len(j.Steps)-1].Args[0] != "sign" {
		t.Errorf("a dockerfile app builds with the engine's builder, then signs: %+v", j.Steps)
	}
	// The digest the build reported is signed, never the tag it pushed.
	sign := j.Steps[len(j.Steps)-1]
	if sign.Args[1] != "${MLC_BUILT_IMAGE}" || !slices.Equal(sign.Env, []ir.EnvVar{{Name: "MLC_BUILT_IMAGE", FromStep: "build", Output: "ref"}}) {
		t.Errorf("the dockerfile app's sign step signs %s with env %+v, want the build's ref output", sign.Args[1], sign.Env)
	}
	if pull := strings.Join(j.Steps[0].Args, " "); !strings.HasPrefix(pull, "pull ${MLC_MODEL} svc/model --key") {
		t.Errorf("the model is not verified before it is built in: %s", pull)
	}
}
