package drift

import (
	"bytes"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parquet-go/parquet-go"

	"github.com/mlc-project/mlc/gate/table"
)

const testdata = "../../testdata/gate"

// expectedColumn is one column of drift_columns.json (see drift_columns.py):
// its profile, and under each method name ("auto", "psi", ...) the result.
type expectedColumn struct {
	Type      string
	Reference int `json:"reference_values"`
	Current   int `json:"current_values"`
	Distinct  int `json:"distinct_values"`
	Methods   map[string]expectedTest
}

type expectedTest struct {
	Method  Method
	Score   *float64 // null where scipy gives NaN
	Drifted bool
}

func (e *expectedColumn) UnmarshalJSON(b []byte) error {
	type profile expectedColumn
	if err := json.Unmarshal(b, (*profile)(e)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	e.Methods = map[string]expectedTest{}
	for _, m := range methods {
		if raw, ok := all[string(m)]; ok {
			var r expectedTest
			if err := json.Unmarshal(raw, &r); err != nil {
				return err
			}
			e.Methods[string(m)] = r
		}
	}
	return nil
}

type expectedDataset struct {
	Columns        map[string]*expectedColumn
	DriftedColumns int     `json:"drifted_columns"`
	DriftedShare   float64 `json:"drifted_share"`
	Drift          bool
}

func loadExpected(t *testing.T) map[string]expectedDataset {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testdata, "drift_columns.json"))
	if err != nil {
		t.Fatal(err)
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(data, &all); err != nil {
		t.Fatal(err)
	}
	out := map[string]expectedDataset{}
	for _, name := range []string{"small", "large"} {
		var d expectedDataset
		if err := json.Unmarshal(all[name], &d); err != nil {
			t.Fatal(err)
		}
		out[name] = d
	}
	return out
}

func open(t *testing.T, name string) *table.Reader {
	t.Helper()
	r, err := table.Open(filepath.Join(testdata, name), table.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

func compare(t *testing.T, dataset string, opt Options) (*Result, error) {
	t.Helper()
	if opt.DriftShare == 0 {
		opt.DriftShare = DefaultDriftShare
	}
	return Compare(open(t, "drift_"+dataset+"_ref.csv"), open(t, "drift_"+dataset+"_cur.csv"), opt)
}

func TestAutoMatchesEvidently(t *testing.T) {
	for name, want := range loadExpected(t) {
		res, err := compare(t, name, Options{Test: Test{Method: Auto}})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, c := range res.Columns {
			w := want.Columns[c.Column]
			auto := w.Methods["auto"]
			if c.Type != w.Type || c.Reference != w.Reference || c.Current != w.Current || c.Distinct != w.Distinct {
				t.Errorf("%s/%s: type %s, %d/%d values, %d distinct; want %s, %d/%d, %d",
					name, c.Column, c.Type, c.Reference, c.Current, c.Distinct, w.Type, w.Reference, w.Current, w.Distinct)
			}
			if c.Method != auto.Method || !near(c.Score, auto.Score) || c.Drifted != auto.Drifted {
				t.Errorf("%s/%s: %s = %v (drift %v), want %s = %v (drift %v)",
					name, c.Column, c.Method, c.Score, c.Drifted, auto.Method, auto.Score, auto.Drifted)
			}
		}
		if res.DriftedColumns != want.DriftedColumns || res.DriftedShare != want.DriftedShare || res.Drift != want.Drift {
			t.Errorf("%s: %d drifted (share %v, drift %v), want %d (%v, %v)",
				name, res.DriftedColumns, res.DriftedShare, res.Drift, want.DriftedColumns, want.DriftedShare, want.Drift)
		}
	}
}

func TestEveryMethodMatchesEvidently(t *testing.T) {
	for name, want := range loadExpected(t) {
		for _, m := range methods[1:] {
			var cols []string // numeric-only tests are checked on numeric columns
			for col, w := range want.Columns {
				if _, ok := w.Methods[string(m)]; ok {
					cols = append(cols, col)
				}
			}
			slices.Sort(cols)
			opt := Options{Test: Test{Method: m}, Columns: cols}
			res, err := compare(t, name, opt)
			if err != nil {
				t.Fatalf("%s, %s: %v", name, m, err)
			}
			for _, c := range res.Columns {
				w := want.Columns[c.Column].Methods[string(m)]
				if c.Method != m || !near(c.Score, w.Score) || c.Drifted != w.Drifted {
					t.Errorf("%s/%s: %s = %v (drift %v), want %v (drift %v)", name, c.Column, m, c.Score, c.Drifted, w.Score, w.Drifted)
				}
			}
		}
	}
}

// near compares with the reference; a null reference is scipy's NaN
// chi-squared p-value for a single category, where mlc reports p = 1.
func near(got float64, want *float64) bool {
	if want == nil {
		return got == 1
	}
	return math.Abs(got-*want) <= 1e-9*math.Max(1, math.Abs(*want))
}

func TestKSOnTextIsBadInput(t *testing.T) {
	_, err := compare(t, "small", Options{Test: Test{Method: KS}, Columns: []string{"cat_k3"}})
	if err == nil || !strings.Contains(err.Error(), `column "cat_k3" is categorical`) {
		t.Fatalf("err = %v, want a message that cat_k3 is categorical", err)
	}
}

func TestPerColumnOverride(t *testing.T) {
	half := 0.5
	res, err := compare(t, "small", Options{
		Test:      Test{Method: Auto},
		Columns:   []string{"num_cont", "cat_k3"},
		PerColumn: map[string]Test{"num_cont": {Method: PSI, Threshold: &half}},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := []string{string(res.Columns[0].Method), string(res.Columns[1].Method)}
	if !slices.Equal(got, []string{"psi", "chisquare"}) || res.Columns[0].Threshold != 0.5 || res.Columns[1].Threshold != 0.05 {
		t.Errorf("methods %v thresholds %v, %v; want [psi chisquare] 0.5, 0.05", got, res.Columns[0].Threshold, res.Columns[1].Threshold)
	}
}

// writeFile writes a small table into the test's temporary directory.
func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestUnusableInput(t *testing.T) {
	ref := "a,b\n1,x\n2,y\n3,x\n"
	for _, tc := range []struct {
		name, cur, want string
	}{
		{"header only", "a,b\n", "cur.csv: no data rows to compare"},
		{"all null", "a,b\n,x\n,y\n", `column "a" has no values in the current data (all null, NaN or Inf)`},
		{"only NaN and Inf", "a,b\nNaN,x\ninf,y\n-Infinity,x\n", `column "a" has no values in the current data`},
		{"missing column", "a\n1\n", `cur.csv: column "b": no such column`},
	} {
		r, err := table.Open(writeFile(t, "ref.csv", ref), table.Options{})
		if err != nil {
			t.Fatal(err)
		}
		c, err := table.Open(writeFile(t, "cur.csv", tc.cur), table.Options{})
		if err != nil {
			t.Fatal(err)
		}
		_, err = Compare(r, c, Options{Test: Test{Method: Auto}, DriftShare: DefaultDriftShare})
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v, want %q", tc.name, err, tc.want)
		}
	}
}

// NaN and ±Inf are dropped like nulls; text makes a column categorical,
// its numbers then compared by their shortest decimal form.
func TestNonFiniteAndMixedColumns(t *testing.T) {
	ref := writeFile(t, "ref.csv", "x,y\n1,1.50\nNaN,a\n2,1.5\ninf,b\n")
	cur := writeFile(t, "cur.csv", "x,y,z\n1,1.5,0\n2,a,0\n,1.50,0\n")
	r, _ := table.Open(ref, table.Options{})
	c, _ := table.Open(cur, table.Options{})
	res, err := Compare(r, c, Options{Test: Test{Method: Auto}, DriftShare: DefaultDriftShare})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Columns) != 2 || !slices.Equal(res.NotCompared, []string{"z"}) {
		t.Errorf("compared %d columns, not compared %v; want x and y compared, z not", len(res.Columns), res.NotCompared)
	}
	x, y := res.Columns[0], res.Columns[1]
	if x.Type != "numeric" || x.Reference != 2 || x.Current != 2 || x.ReferenceMissing != 2 || x.CurrentMissing != 1 ||
		x.Method != ZTest || x.Score != 1 {
		t.Errorf("x: %+v; want numeric, 2 and 2 values (2 and 1 missing), identical (ztest p = 1)", x)
	}
	if y.Type != "categorical" || y.Distinct != 3 || y.Method != ChiSquare {
		t.Errorf("y: %+v; want categorical with 3 distinct values (1.5, a, b) tested by chisquare", y)
	}
}

// In JSON Lines a quoted number is text and a boolean is a category, as
// pandas reads them.
func TestJSONLinesTypes(t *testing.T) {
	rows := `{"n":1.5,"s":"1","b":true}
{"n":2,"s":"2","b":false}
{"n":null,"s":"1","b":true}
`
	ref := writeFile(t, "ref.jsonl", rows)
	cur := writeFile(t, "cur.jsonl", rows)
	r, _ := table.Open(ref, table.Options{})
	c, _ := table.Open(cur, table.Options{})
	res, err := Compare(r, c, Options{Test: Test{Method: Auto}, DriftShare: DefaultDriftShare})
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, col := range res.Columns {
		types = append(types, col.Column+":"+col.Type)
		if col.Drifted || col.Score != 1 {
			t.Errorf("%s: identical data scored %v (drift %v), want p = 1", col.Column, col.Score, col.Drifted)
		}
	}
	if got := strings.Join(types, " "); got != "n:numeric s:categorical b:categorical" {
		t.Errorf("types %s", got)
	}
}

type parquetRow struct {
	X    *float64 `parquet:"x,optional"`
	Plan string   `parquet:"plan"`
}

// The same data as Parquet and as CSV gives the same result.
func TestParquetMatchesCSV(t *testing.T) {
	write := func(name string, rows []parquetRow) (string, string) {
		var pq bytes.Buffer
		w := parquet.NewGenericWriter[parquetRow](&pq)
		if _, err := w.Write(rows); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		csv := "x,plan\n"
		for _, r := range rows {
			x := ""
			if r.X != nil {
				x = strconv.FormatFloat(*r.X, 'g', -1, 64)
			}
			csv += x + "," + r.Plan + "\n"
		}
		return writeFile(t, name+".parquet", pq.String()), writeFile(t, name+".csv", csv)
	}
	rows := func(n int, shift float64) []parquetRow {
		out := make([]parquetRow, n)
		for i := range out {
			x := float64((i*7919)%1009)/1009 + shift
			out[i] = parquetRow{X: &x, Plan: []string{"free", "pro", "team"}[i%3]}
			if i%17 == 0 {
				out[i].X = nil
			}
		}
		return out
	}
	refPQ, refCSV := write("ref", rows(1500, 0))
	curPQ, curCSV := write("cur", rows(1200, 0.05))
	var results [2]*Result
	for i, pair := range [][2]string{{refPQ, curPQ}, {refCSV, curCSV}} {
		r, _ := table.Open(pair[0], table.Options{})
		c, _ := table.Open(pair[1], table.Options{})
		res, err := Compare(r, c, Options{Test: Test{Method: Auto}, DriftShare: DefaultDriftShare})
		if err != nil {
			t.Fatal(err)
		}
		results[i] = res
	}
	if !reflect.DeepEqual(results[0], results[1]) {
		t.Errorf("Parquet %+v\nCSV     %+v", results[0], results[1])
	}
	if c := results[0].Columns[0]; c.Method != Wasserstein || c.ReferenceMissing != 89 {
		t.Errorf("x: %+v; want wasserstein with 89 missing", c)
	}
}
