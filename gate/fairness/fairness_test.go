package fairness

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/gate/table"
)

const testdata = "../../testdata/gate"

// fairnessCases mirrors fairness_cases.json (see fairness_cases.py).
type fairnessCases struct {
	Cases []struct {
		Name    string
		File    string
		Options struct {
			Protected                             []string
			Label, Prediction, Weight, Privileged string
		}
		Attributes map[string]struct {
			Groups map[string]struct {
				Rows          int
				SelectionRate float64  `json:"selection_rate"`
				TPR           *float64 `json:"true_positive_rate"`
				FPR           *float64 `json:"false_positive_rate"`
			}
			DPD  float64  `json:"demographic_parity_difference"`
			DPR  *float64 `json:"demographic_parity_ratio"`
			DI   *float64 `json:"disparate_impact"`
			SPD  *float64 `json:"statistical_parity_difference"`
			EOD  *float64 `json:"equalized_odds_difference"`
			EOpD *float64 `json:"equal_opportunity_difference"`
		}
	}
}

func evaluate(t *testing.T, file string, opt Options) (*Result, error) {
	t.Helper()
	r, err := table.Open(filepath.Join(testdata, file), table.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if opt.Positive == "" {
		opt.Positive = "1"
	}
	return Evaluate(r, opt)
}

func near(got, want float64) bool { return math.Abs(got-want) <= 1e-9 }

// nearPtr compares optional figures: both absent, or both present and near.
func nearPtr(got, want *float64) bool {
	if got == nil || want == nil {
		return got == nil && want == nil
	}
	return near(*got, *want)
}

func TestMatchesFairlearnAndAIF360(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(testdata, "fairness_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all fairnessCases
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	for _, c := range all.Cases {
		o := c.Options
		opt := Options{Protected: o.Protected, Label: o.Label, Prediction: o.Prediction, Weight: o.Weight}
		if o.Privileged != "" {
			opt.Privileged = map[string]string{o.Protected[0]: o.Privileged}
		}
		res, err := evaluate(t, c.File, opt)
		if err != nil {
			t.Fatalf("%s: %v", c.Name, err)
		}
		if len(res.Attributes) != len(c.Attributes) {
			t.Fatalf("%s: %d attributes, want %d", c.Name, len(res.Attributes), len(c.Attributes))
		}
		for _, a := range res.Attributes {
			w := c.Attributes[a.Column]
			if len(a.Groups) != len(w.Groups) {
				t.Errorf("%s/%s: %d groups, want %d", c.Name, a.Column, len(a.Groups), len(w.Groups))
			}
			for _, g := range a.Groups {
				wg := w.Groups[g.Value]
				if g.Rows != wg.Rows || !near(g.SelectionRate, wg.SelectionRate) ||
					!nearPtr(g.TruePositive, wg.TPR) || !nearPtr(g.FalsePositive, wg.FPR) {
					t.Errorf("%s/%s/%s: %+v, want %+v", c.Name, a.Column, g.Value, g, wg)
				}
			}
			if !near(a.ParityDifference, w.DPD) || !nearPtr(a.ParityRatio, w.DPR) || !nearPtr(a.DisparateImpact, w.DI) ||
				!nearPtr(a.StatisticalParityDifference, w.SPD) || !nearPtr(a.EqualizedOddsDifference, w.EOD) ||
				!nearPtr(a.EqualOpportunityDifference, w.EOpD) {
				t.Errorf("%s/%s: got %+v\nwant %+v", c.Name, a.Column, a, w)
			}
		}
	}
}

func TestLimits(t *testing.T) {
	maxDiff, minDI := 0.1, 0.8
	res, err := evaluate(t, "fairness_data.csv", Options{Protected: []string{"sex", "race"}, Label: "label",
		Limits: Limits{MaxParityDifference: &maxDiff, MinDisparateImpact: &minDI}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Passed {
		t.Fatal("passed, but sex has a parity difference above 0.6")
	}
	sex, race := res.Attributes[0], res.Attributes[1]
	if len(sex.Failures) != 2 || len(race.Failures) != 0 {
		t.Errorf("failures: sex %q, race %q; want two for sex, none for race", sex.Failures, race.Failures)
	}
}

func TestGroupWithoutPositivesHasTPRZero(t *testing.T) {
	res, err := evaluate(t, "fairness_data.csv", Options{Protected: []string{"sex"}, Label: "label", Prediction: "pred"})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range res.Attributes[0].Groups {
		if g.Value == "x" && (g.TruePositive == nil || *g.TruePositive != 0) {
			t.Errorf("group x (no positive labels): TPR %v, want 0", g.TruePositive)
		}
	}
	if notes := strings.Join(res.Attributes[0].Notes, "\n"); !strings.Contains(notes, `group "x" has no positive labels`) {
		t.Errorf("notes %q do not mention group x", notes)
	}
}

func TestBadInput(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  Options
		want string
	}{
		{"missing column", Options{Protected: []string{"gender"}, Label: "label"}, `column "gender": no such column`},
		{"unknown privileged group", Options{Protected: []string{"sex"}, Label: "label", Privileged: map[string]string{"sex": "z"}}, `--privileged "z" is not a value`},
		{"privileged of another column", Options{Protected: []string{"sex"}, Label: "label", Privileged: map[string]string{"race": "A"}}, `"race", which is not a protected column`},
		{"wrong positive value", Options{Protected: []string{"sex"}, Label: "label", Positive: "yes"}, `column "label": no label equals the positive value "yes" (labels seen include ["1" "0"])`},
		{"text weight", Options{Protected: []string{"sex"}, Label: "label", Weight: "race"}, `row 1, column "race": weight "`},
	} {
		_, err := evaluate(t, "fairness_data.csv", tc.opt)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want it to contain %q", tc.name, err, tc.want)
		}
	}
}

func TestPositiveValueMatching(t *testing.T) {
	for _, tc := range []struct {
		cell     table.Cell
		positive string
		want     bool
	}{
		{table.Cell{Kind: table.Text, Bytes: []byte("1.0")}, "1", true},
		{table.Cell{Kind: table.Text, Bytes: []byte("yes")}, "yes", true},
		{table.Cell{Kind: table.Text, Bytes: []byte("no")}, "1", false},
		{table.Cell{Kind: table.Bool, Bytes: []byte("true")}, "1", true},
		{table.Cell{Kind: table.Bool, Bytes: []byte("false")}, "0", true},
		{table.Cell{Kind: table.Bool, Bytes: []byte("false")}, "yes", false},
		{table.Cell{Kind: table.Number, Bytes: []byte("2")}, "1", false},
	} {
		if got, err := isPositive(tc.cell, tc.positive); err != nil || got != tc.want {
			t.Errorf("isPositive(%s %q, %q) = %v, %v; want %v", tc.cell.Kind, tc.cell.Bytes, tc.positive, got, err, tc.want)
		}
	}
	if _, err := isPositive(table.Cell{Kind: table.Null}, "1"); err == nil {
		t.Error("a null label is accepted")
	}
}

func TestNoRowsIsBadInput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.csv")
	if err := os.WriteFile(path, []byte("sex,label\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := table.Open(path, table.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, err := Evaluate(r, Options{Protected: []string{"sex"}, Label: "label", Positive: "1"}); err == nil || !strings.Contains(err.Error(), "no rows to assess") {
		t.Fatalf("err = %v, want no rows to assess", err)
	}
}

// JSON Lines: booleans are labels like Python's True == 1; a null protected
// value is a group of its own; a null label is bad input with its row.
func TestJSONLines(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.jsonl")
	rows := `{"g":"a","y":true}
{"g":"a","y":false}
{"g":null,"y":true}
{"g":"b","y":1}
`
	if err := os.WriteFile(path, []byte(rows), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := table.Open(path, table.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := Evaluate(r, Options{Protected: []string{"g"}, Label: "y", Positive: "1"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, g := range res.Attributes[0].Groups {
		got = append(got, g.Value+"="+strconv.FormatFloat(g.SelectionRate, 'g', -1, 64))
	}
	if want := "(null)=1 a=0.5 b=1"; strings.Join(got, " ") != want {
		t.Errorf("groups %v, want %s", got, want)
	}
	if err := os.WriteFile(path, []byte(`{"g":"a","y":1}`+"\n"+`{"g":"a","y":null}`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r2, _ := table.Open(path, table.Options{})
	defer r2.Close()
	if _, err := Evaluate(r2, Options{Protected: []string{"g"}, Label: "y", Positive: "1"}); err == nil || !strings.Contains(err.Error(), `row 2, column "y": missing value`) {
		t.Errorf("null label: err = %v", err)
	}
}
