package lineage

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/sign"
	"github.com/mlc-project/mlc/artifact/sign/signtest"
)

type fixture struct {
	st                   artifact.Store
	model, dataset, code v1.Hash
	signer               *sign.Signer
	policy               sign.Policy
	open                 Opener
}

func newFixture(t *testing.T, st artifact.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	priv, pub := signtest.KeyPair(t)
	s, err := sign.NewSigner(ctx, sign.KeyOpts{Key: priv, Password: signtest.PassFunc})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	v, err := sign.LoadVerifier(ctx, pub)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{
		st: st,
		model: signtest.PutAnnotatedArtifact(t, st, "model", "weights",
			map[string]string{artifact.AnnotationMetricPfx + "accuracy": "0.93", "org.opencontainers.image.revision": "abc"}),
		dataset: signtest.PutArtifact(t, st, "dataset", "rows"),
		code:    signtest.PutArtifact(t, st, "code", "train.py"),
		signer:  s,
		policy:  sign.Policy{Key: v, IgnoreTlog: true},
		open: func(ref string) (artifact.Store, error) {
			if !strings.HasPrefix(ref, st.Location()+"@sha256:") {
				return nil, fmt.Errorf("unexpected input %q", ref)
			}
			return st, nil
		},
	}
	return f
}

func (f *fixture) provenance() Provenance {
	return Provenance{
		Inputs: []Input{
			{Role: "dataset", Location: f.st.Location(), Digest: f.dataset},
			{Role: "code", Location: f.st.Location(), Digest: f.code},
		},
		Params:  map[string]string{"epochs": "10", "lr": "0.01"},
		Builder: "https://github.com/acme/ml/.github/workflows/train.yml@refs/heads/main",
	}
}

func TestTraceModelDatasetCode(t *testing.T) {
	run := func(t *testing.T, st artifact.Store) {
		ctx := context.Background()
		f := newFixture(t, st)
		if _, err := sign.Sign(ctx, st, f.model, f.signer, sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		if _, err := sign.Sign(ctx, st, f.dataset, f.signer, sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		if _, err := Attach(ctx, st, f.model, f.signer, f.provenance(), sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		n, err := Trace(ctx, st, f.model, f.policy, f.open)
		if err != nil {
			t.Fatal(err)
		}
		loc := st.Location()
		want := &Node{
			Role: "model", Ref: loc + "@" + f.model.String(), Signed: true, Attested: true,
			Metrics: map[string]string{"accuracy": "0.93"},
			Builder: f.provenance().Builder, Params: map[string]string{"epochs": "10", "lr": "0.01"},
			Inputs: []*Node{
				{Role: "code", Ref: loc + "@" + f.code.String()},
				{Role: "dataset", Ref: loc + "@" + f.dataset.String(), Signed: true},
			},
		}
		got, _ := json.Marshal(n)
		exp, _ := json.Marshal(want)
		if !bytes.Equal(got, exp) {
			t.Fatalf("Trace =\n%s\nwant\n%s", got, exp)
		}
	}
	t.Run("layout", func(t *testing.T) { run(t, signtest.Layout(t)) })
	t.Run("registry", func(t *testing.T) {
		st, _ := signtest.Registry(t, "acme/ml")
		run(t, st)
	})
}

func TestTraceFollowsAttestedInputs(t *testing.T) {
	f := newFixture(t, signtest.Layout(t))
	raw := signtest.PutArtifact(t, f.st, "raw", "raw rows")
	dataProv := Provenance{Inputs: []Input{{Role: "dataset", Location: f.st.Location(), Digest: raw}}, Builder: "mlc"}
	n := f.traceWithDatasetProvenance(t, dataProv)
	ds := n.Inputs[1]
	if ds.Role != "dataset" || !ds.Attested || len(ds.Inputs) != 1 || ds.Inputs[0].Ref != f.st.Location()+"@"+raw.String() {
		t.Fatalf("dataset node = %+v, want it attested with the raw data as input", ds)
	}
	var text bytes.Buffer
	if err := WriteText(&text, n); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"model   " + f.st.Location() + "@" + f.model.String() + " (unsigned, provenance verified)\n",
		"        metrics: accuracy=0.93\n        params: epochs=10 lr=0.01\n",
		"  ← dataset " + f.st.Location() + "@" + f.dataset.String() + " (unsigned, provenance verified)\n",
		"    ← dataset " + f.st.Location() + "@" + raw.String() + " (unsigned)\n",
		"  ← code    ",
	} {
		if !strings.Contains(text.String(), want) {
			t.Fatalf("text output lacks %q:\n%s", want, text.String())
		}
	}
}

// traceWithDatasetProvenance attests the dataset with dataProv and the
// model with the fixture's provenance, then traces the model.
func (f *fixture) traceWithDatasetProvenance(t *testing.T, dataProv Provenance) *Node {
	t.Helper()
	ctx := context.Background()
	if _, err := Attach(ctx, f.st, f.dataset, f.signer, dataProv, sign.TlogOpts{}); err != nil {
		t.Fatal(err)
	}
	if _, err := Attach(ctx, f.st, f.model, f.signer, f.provenance(), sign.TlogOpts{}); err != nil {
		t.Fatal(err)
	}
	n, err := Trace(ctx, f.st, f.model, f.policy, f.open)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestTraceDiamond: the code that made the dataset also trained the model;
// an input shared by two branches is not a cycle.
func TestTraceDiamond(t *testing.T) {
	f := newFixture(t, signtest.Layout(t))
	dataProv := Provenance{Inputs: []Input{{Role: "code", Location: f.st.Location(), Digest: f.code}}, Builder: "mlc"}
	n := f.traceWithDatasetProvenance(t, dataProv)
	if len(n.Inputs) != 2 || len(n.Inputs[1].Inputs) != 1 || n.Inputs[1].Inputs[0].Ref != n.Inputs[0].Ref {
		t.Fatalf("Trace = %+v, want the code both as the model's and the dataset's input", n)
	}
}

func TestAttachReplacesAndIsIdempotent(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, signtest.Layout(t))
	reversed := f.provenance()
	slices.Reverse(reversed.Inputs)
	a, _ := Statement(f.st.Location(), f.model, f.provenance())
	b, _ := Statement(f.st.Location(), f.model, reversed)
	if !bytes.Equal(a, b) {
		t.Fatal("the same provenance, inputs in another order, gave two different statements")
	}
	for _, epochs := range []string{"5", "10"} {
		p := f.provenance()
		p.Params = map[string]string{"epochs": epochs}
		if _, err := Attach(ctx, f.st, f.model, f.signer, p, sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
	}
	stmts, err := sign.VerifyAttestations(ctx, f.st, f.model, f.policy, PredicateType)
	if err != nil {
		t.Fatal(err)
	}
	if len(stmts) != 1 {
		t.Fatalf("%d provenance attestations after attaching twice, want the last one only", len(stmts))
	}
	p, err := Read(ctx, f.st, f.model, f.policy)
	if err != nil || p.Params["epochs"] != "10" {
		t.Fatalf("Read = %+v, %v; want the second provenance", p, err)
	}

	// Attaching the same provenance again (a re-push) writes nothing.
	tag := sign.AttachedTag(f.model, sign.AttestationSuffix)
	before, err := f.st.Resolve(ctx, tag)
	if err != nil {
		t.Fatal(err)
	}
	out, err := Attach(ctx, f.st, f.model, f.signer, p, sign.TlogOpts{})
	if err != nil || !out.AlreadySigned {
		t.Fatalf("re-Attach = %+v, %v; want AlreadySigned", out, err)
	}
	if after, err := f.st.Resolve(ctx, tag); err != nil || after.Digest != before.Digest {
		t.Fatalf("re-Attach moved %s from %s to %s (%v)", tag, before.Digest, after.Digest, err)
	}
}

func TestTraceFailures(t *testing.T) {
	ctx := context.Background()
	t.Run("no provenance", func(t *testing.T) {
		f := newFixture(t, signtest.Layout(t))
		_, err := Trace(ctx, f.st, f.model, f.policy, f.open)
		if !errors.Is(err, sign.ErrUnsigned) {
			t.Fatalf("Trace = %v, want ErrUnsigned", err)
		}
	})
	t.Run("wrong key", func(t *testing.T) {
		f := newFixture(t, signtest.Layout(t))
		if _, err := Attach(ctx, f.st, f.model, f.signer, f.provenance(), sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		other := newFixture(t, f.st)
		_, err := Trace(ctx, f.st, f.model, other.policy, f.open)
		if !errors.Is(err, sign.ErrNotVerified) || errors.Is(err, sign.ErrUnsigned) {
			t.Fatalf("Trace with another key = %v, want ErrNotVerified", err)
		}
	})
	t.Run("input missing from its store", func(t *testing.T) {
		f := newFixture(t, signtest.Layout(t))
		p := f.provenance()
		p.Inputs[0].Digest, _ = v1.NewHash("sha256:" + strings.Repeat("1", 64))
		if _, err := Attach(ctx, f.st, f.model, f.signer, p, sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		_, err := Trace(ctx, f.st, f.model, f.policy, f.open)
		if err == nil || !strings.Contains(err.Error(), "dataset input") || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("Trace with a missing dataset = %v, want an error naming the dataset input", err)
		}
	})
	t.Run("cycle", func(t *testing.T) {
		f := newFixture(t, signtest.Layout(t))
		if _, err := Attach(ctx, f.st, f.model, f.signer, f.provenance(), sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		back := Provenance{Inputs: []Input{{Role: "model", Location: f.st.Location(), Digest: f.model}}, Builder: "mlc"}
		if _, err := Attach(ctx, f.st, f.dataset, f.signer, back, sign.TlogOpts{}); err != nil {
			t.Fatal(err)
		}
		_, err := Trace(ctx, f.st, f.model, f.policy, f.open)
		if err == nil || !strings.Contains(err.Error(), "its own ancestor") {
			t.Fatalf("Trace of a cyclic lineage = %v, want a cycle error", err)
		}
	})
}

// TestStatementBytes pins the statement to the byte: a signature over it
// must be found again by the next build (see sign.TestNewStatementBytes).
func TestStatementBytes(t *testing.T) {
	hash := func(c string) v1.Hash { return v1.Hash{Algorithm: "sha256", Hex: strings.Repeat(c, 64)} }
	p := Provenance{
		Inputs: []Input{
			{Role: "dataset", Location: "ghcr.io/acme/data", Digest: hash("1")},
			{Role: "code", Location: "oci:/src", Digest: hash("2")},
		},
		Params:     map[string]string{"lr": "0.01", "epochs": "10"},
		Builder:    "https://github.com/acme/ml/.github/workflows/train.yml@refs/heads/main",
		Invocation: "https://github.com/acme/ml/actions/runs/42/attempts/1",
	}
	want := `{"_type":"https://in-toto.io/Statement/v1",` +
		`"subject":[{"name":"ghcr.io/acme/model","digest":{"sha256":"` + hash("3").Hex + `"}}],` +
		`"predicateType":"https://slsa.dev/provenance/v1",` +
		`"predicate":{"buildDefinition":{"buildType":"https://github.com/mlc-project/mlc/lineage/train/v1",` +
		`"externalParameters":{"parameters":{"epochs":"10","lr":"0.01"}},"resolvedDependencies":[` +
		`{"digest":{"sha256":"` + hash("2").Hex + `"},"name":"code","uri":"oci:/src@` + hash("2").String() + `"},` +
		`{"digest":{"sha256":"` + hash("1").Hex + `"},"name":"dataset","uri":"ghcr.io/acme/data@` + hash("1").String() + `"}]},` +
		`"runDetails":{"builder":{"id":"https://github.com/acme/ml/.github/workflows/train.yml@refs/heads/main"},` +
		`"metadata":{"invocationID":"https://github.com/acme/ml/actions/runs/42/attempts/1"}}}}`
	for range 50 {
		got, err := Statement("ghcr.io/acme/model", hash("3"), p)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != want {
			t.Fatalf("Statement =\n%s\nwant\n%s", got, want)
		}
	}
	// A commit after the inputs; further subjects after the artifact.
	p.Sources = []Source{{Repo: "https://github.com/acme/ml", Commit: strings.Repeat("4", 40)}}
	p.Products = []sign.Subject{{Name: "model.onnx", Digest: map[string]string{"sha256": hash("5").Hex}}}
	got, err := Statement("ghcr.io/acme/model", hash("3"), p)
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []string{
		`"subject":[{"name":"ghcr.io/acme/model","digest":{"sha256":"` + hash("3").Hex + `"}},{"name":"model.onnx","digest":{"sha256":"` + hash("5").Hex + `"}}]`,
		`"name":"dataset","uri":"ghcr.io/acme/data@` + hash("1").String() + `"},{"digest":{"gitCommit":"` + strings.Repeat("4", 40) + `"},"name":"source","uri":"git+https://github.com/acme/ml@` + strings.Repeat("4", 40) + `"}]`,
	} {
		if !strings.Contains(string(got), part) {
			t.Fatalf("Statement =\n%s\nlacks\n%s", got, part)
		}
	}
	if _, err := Statement("ghcr.io/acme/model", hash("3"), Provenance{}); err == nil || !strings.Contains(err.Error(), "builder") {
		t.Fatalf("Statement without a builder = %v, want an error", err)
	}
}

func TestParseRejectsURIWithoutItsDigest(t *testing.T) {
	stmt := sign.Statement{PredicateType: PredicateType, Predicate: json.RawMessage(`{
		"buildDefinition": {"buildType": "x", "externalParameters": {},
			"resolvedDependencies": [{"name": "dataset", "uri": "ghcr.io/a/b:latest",
				"digest": {"sha256": "` + strings.Repeat("2", 64) + `"}}]},
		"runDetails": {"builder": {"id": "mlc"}}}`)}
	if _, err := parse(stmt, v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("3", 64)}); err == nil || !strings.Contains(err.Error(), "does not end in its digest") {
		t.Fatalf("parse = %v, want an error about the uri", err)
	}
	stmt.Predicate = json.RawMessage(`{
		"buildDefinition": {"buildType": "x", "externalParameters": {},
			"resolvedDependencies": [{"name": "source", "uri": "git+https://github.com/acme/ml@` + strings.Repeat("a", 40) + `",
				"digest": {"gitCommit": "` + strings.Repeat("b", 40) + `"}}]},
		"runDetails": {"builder": {"id": "mlc"}}}`)
	if _, err := parse(stmt, v1.Hash{Algorithm: "sha256", Hex: strings.Repeat("3", 64)}); err == nil || !strings.Contains(err.Error(), "does not name its commit") {
		t.Fatalf("parse of a source naming another commit = %v, want an error", err)
	}
}

// TestTraceSourceAndProducts: a release's image attested with the commit
// it was built from and its archives reads back with both, in text too.
func TestTraceSourceAndProducts(t *testing.T) {
	ctx := context.Background()
	st := signtest.Layout(t)
	f := newFixture(t, st)
	commit := strings.Repeat("3f", 20)
	p := Provenance{
		Sources: []Source{{Repo: "https://github.com/acme/mlc", Commit: commit}},
		Products: []sign.Subject{
			{Name: "mlc_v1_linux_amd64.tar.gz", Digest: map[string]string{"sha256": strings.Repeat("01", 32)}},
			{Name: "mlc_v1_darwin_arm64.tar.gz", Digest: map[string]string{"sha256": strings.Repeat("02", 32)}},
		},
		Builder: "https://github.com/acme/mlc/.github/workflows/release.yml@refs/tags/v1",
	}
	if _, err := Attach(ctx, st, f.model, f.signer, p, sign.TlogOpts{}); err != nil {
		t.Fatal(err)
	}
	n, err := Trace(ctx, st, f.model, f.policy, f.open)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"git+https://github.com/acme/mlc@" + commit}; !slices.Equal(n.Sources, want) || len(n.Inputs) != 0 {
		t.Fatalf("Sources = %v, Inputs = %v; want %v and none", n.Sources, n.Inputs, want)
	}
	if got, _ := json.Marshal(n.Products); !bytes.Contains(got, []byte(`"name":"mlc_v1_linux_amd64.tar.gz"`)) || len(n.Products) != 2 {
		t.Fatalf("Products = %s, want both archives", got)
	}
	var text bytes.Buffer
	if err := WriteText(&text, n); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"source: git+https://github.com/acme/mlc@" + commit + "\n",
		"also made: mlc_v1_darwin_arm64.tar.gz sha256:" + strings.Repeat("02", 32) + "\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("WriteText lacks %q:\n%s", want, text.String())
		}
	}
}

func TestParseSource(t *testing.T) {
	commit := strings.Repeat("ab", 20)
	for in, want := range map[string]Source{
		"https://github.com/acme/ml@" + commit:     {Repo: "https://github.com/acme/ml", Commit: commit},
		"git+https://github.com/acme/ml@" + commit: {Repo: "https://github.com/acme/ml", Commit: commit},
	} {
		if got, err := ParseSource(in); err != nil || got != want {
			t.Errorf("ParseSource(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "https://github.com/acme/ml", "https://github.com/acme/ml@main", "https://github.com/acme/ml@" + commit[:12],
		"https://github.com/acme/ml@" + strings.ToUpper(commit), "github.com/acme/ml@" + commit, "@" + commit} {
		if _, err := ParseSource(bad); err == nil {
			t.Errorf("ParseSource(%q) accepted", bad)
		}
	}
}

func TestBuilderOf(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	b, inv := BuilderOf(env(nil), "v1.2.3")
	if b != "https://github.com/mlc-project/mlc@v1.2.3" || inv != "" {
		t.Errorf("outside CI: %q %q", b, inv)
	}
	b, inv = BuilderOf(env(map[string]string{
		"GITHUB_WORKFLOW_REF": "acme/ml/.github/workflows/delivery.yml@refs/heads/main",
		"GITHUB_REPOSITORY":   "acme/ml", "GITHUB_RUN_ID": "42", "GITHUB_RUN_ATTEMPT": "2",
	}), "v1.2.3")
	if b != "https://github.com/acme/ml/.github/workflows/delivery.yml@refs/heads/main" ||
		inv != "https://github.com/acme/ml/actions/runs/42/attempts/2" {
		t.Errorf("in GitHub Actions: %q %q", b, inv)
	}
	b, inv = BuilderOf(env(map[string]string{"GITHUB_SERVER_URL": "https://ghe.example", "GITHUB_WORKFLOW_REF": "a/b/w.yml@x"}), "v1")
	if b != "https://ghe.example/a/b/w.yml@x" || inv != "" {
		t.Errorf("without a run id: %q %q", b, inv)
	}
}
