package metrics

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

var (
	candidate = filepath.Join("..", "..", "testdata", "gate", "metrics_candidate.json")
	baseline  = filepath.Join("..", "..", "testdata", "gate", "metrics_baseline.json")
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Metrics
		err  string
	}{
		{`{"accuracy": 0.9, "name": "x", "n": 10}`, Metrics{"accuracy": 0.9, "n": 10}, ""},
		{`{"metrics": {"auc": 0.75}, "accuracy": 1}`, Metrics{"auc": 0.75}, ""},
		{`[0.9]`, nil, "not a JSON object"},
		{`{"name": "x"}`, nil, "no numeric metrics"},
		{`{"big": 1e999}`, nil, `metric "big": 1e999 is out of range`},
	} {
		got, err := Parse([]byte(tc.in))
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %v %v", tc.in, got, err)
		}
	}
}

func TestParseGate(t *testing.T) {
	for _, tc := range []struct {
		in, want, err string
	}{
		{"accuracy>=0.90", "accuracy>=0.9", ""},
		{" f1 < 1e-1 ", "f1<0.1", ""},
		{"eval/loss<=0.3", "eval/loss<=0.3", ""},
		{"auc==1", "auc==1", ""},
		{"auc>0", "auc>0", ""},
		{">=0.9", "", "it must start with a metric name"},
		{"accuracy", "", `no comparison after "accuracy"`},
		{"accuracy=>0.9", "", `"=" is not a comparison operator`},
		{"accuracy>=", "", "no number after >="},
		{"accuracy>=high", "", `"high" is not a number`},
		{"accuracy>=NaN", "", `"NaN" is not a number`},
	} {
		g, err := ParseGate(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || g.String() != tc.want {
			t.Errorf("%q: %v %v, want %s", tc.in, g, err, tc.want)
		}
	}
	g, _ := ParseGate("a>=0.9")
	if !g.Holds(0.9) || g.Holds(0.89) {
		t.Error(">= is wrong")
	}
}

// Whatever ParseGate accepts, it prints back to an equal gate.
func FuzzParseGate(f *testing.F) {
	for _, s := range []string{"accuracy>=0.90", "f1 < 1e-1", "a==b", ">", "x<=-0", "m>1e308"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		g, err := ParseGate(s)
		if err != nil {
			return
		}
		again, err := ParseGate(g.String())
		if err != nil || again != g {
			t.Fatalf("%q → %v → %q → %v, %v", s, g, g.String(), again, err)
		}
	})
}

func TestParseNoRegression(t *testing.T) {
	if r, err := ParseNoRegression("accuracy:0.01"); err != nil || r != (NoRegression{"accuracy", 0.01}) {
		t.Errorf("%v %v", r, err)
	}
	if r, err := ParseNoRegression("f1"); err != nil || r != (NoRegression{"f1", 0}) {
		t.Errorf("%v %v", r, err)
	}
	for _, bad := range []string{"", "acc:-1", "acc:x", "a b:0.1"} {
		if _, err := ParseNoRegression(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func gates(t *testing.T, specs ...string) []Gate {
	var out []Gate
	for _, s := range specs {
		g, err := ParseGate(s)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, g)
	}
	return out
}

func TestEvaluateAgainstFileBaseline(t *testing.T) {
	ctx := context.Background()
	cur, err := Load(ctx, candidate, nil)
	if err != nil {
		t.Fatal(err)
	}
	base, err := Load(ctx, baseline, nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := Evaluate(cur, gates(t, "accuracy>=0.9", "loss<0.2"), base, baseline,
		[]NoRegression{{"accuracy", 0}, {"f1", 0.01}, {"loss", 0}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed() {
		t.Fatal("loss gate and f1 regression must fail")
	}
	rep := res.Report()
	want := "loss is 0.23, gate loss<0.2; f1 regressed to 0.84 from 0.86 (tolerance 0.01)"
	if rep.Summary != want {
		t.Errorf("summary %q\nwant %q", rep.Summary, want)
	}
	if !reflect.DeepEqual(res.Notices, []string{`the baseline has no "loss" metric: not compared`}) {
		t.Errorf("notices %q", res.Notices)
	}
	if res.Regressions[0].Passed != true || *res.Regressions[0].Baseline != 0.9 {
		t.Errorf("accuracy 0.91 vs 0.90: %+v", res.Regressions[0])
	}
}

func TestMissingMetricIsAnError(t *testing.T) {
	_, err := Evaluate(Metrics{"auc": 1}, gates(t, "accuracy>=0.9"), nil, "", nil)
	if err == nil || !strings.Contains(err.Error(), `metric "accuracy" is not among the candidate's metrics (auc)`) {
		t.Errorf("got %v", err)
	}
}

func TestBaselineFromAnnotations(t *testing.T) {
	read := func(_ context.Context, ref string) (map[string]string, error) {
		switch ref {
		case "reg.example/models/credit:prod":
			return map[string]string{"dev.mlc.metric.accuracy": "0.95", "org.opencontainers.image.revision": "abc"}, nil
		case "reg.example/models/credit:bad":
			return map[string]string{"dev.mlc.metric.accuracy": "high"}, nil
		}
		return nil, fmt.Errorf("manifest not found: %w", fs.ErrNotExist)
	}
	ctx := context.Background()
	m, err := Load(ctx, "reg.example/models/credit:prod", read)
	if err != nil || !reflect.DeepEqual(m, Metrics{"accuracy": 0.95}) {
		t.Errorf("%v %v", m, err)
	}
	if _, err := Load(ctx, "reg.example/models/credit:bad", read); err == nil || !strings.Contains(err.Error(), `dev.mlc.metric.accuracy="high" is not a decimal number`) {
		t.Errorf("got %v", err)
	}
	_, err = Load(ctx, "reg.example/models/credit:new", read)
	if !errors.Is(err, ErrNoBaseline) {
		t.Fatalf("got %v", err)
	}
	// The first deployment passes with a notice.
	res, err := Evaluate(Metrics{"accuracy": 0.5}, nil, nil, "reg.example/models/credit:new", []NoRegression{{"accuracy", 0}})
	if err != nil || !res.Passed() || len(res.Notices) != 1 || !strings.Contains(res.Notices[0], "first deployment") {
		t.Errorf("%+v %v", res, err)
	}
	if _, err := Load(ctx, "reg.example/models/credit:prod", nil); err == nil || !strings.Contains(err.Error(), "not supported") {
		t.Errorf("got %v", err)
	}
	if _, err := Load(ctx, "missing.json", read); err == nil || !strings.Contains(err.Error(), "no such file") {
		t.Errorf("got %v", err)
	}
}
