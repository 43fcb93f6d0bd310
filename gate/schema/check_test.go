package schema

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/mlc-project/mlc/gate/table"
	"github.com/mlc-project/mlc/spec"
)

// dataset is the Spec of the table ds in src, decoded as the pipeline
// spec decodes a table.
func dataset(t *testing.T, src string) *Spec {
	t.Helper()
	ds := cuecontext.New().CompileString(src).LookupPath(cue.ParsePath("ds"))
	var table spec.Table
	if err := ds.Decode(&table); err != nil {
		t.Fatal(err)
	}
	s, err := New(table, ds.LookupPath(cue.ParsePath("schema")))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func check(t *testing.T, path string, s *Spec) *Result {
	t.Helper()
	r, err := table.Open(path, table.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := Check(r, s, Options{MaxViolations: 3})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

var people = filepath.Join("..", "..", "testdata", "gate", "schema_people.csv")

func TestCheckPeople(t *testing.T) {
	s := dataset(t, `ds: {
		schema: {
			id:      int
			age:     int & >=18 & <=120
			gender:  "f" | "m" | "x"
			email?:  =~"^[^@]+@[^@]+\\.[a-z]+$" | null
			score:   number | null
			country?: string
		}
		rows: {min: 5}
		max_null_share: 0.3
	}`)
	res := check(t, people, s)
	if res.Passed() || res.Rows != 4 || res.Columns != 6 {
		t.Fatalf("passed=%v rows=%d columns=%d", res.Passed(), res.Rows, res.Columns)
	}
	want := map[string]int64{
		RuleRange: 1, RuleType: 1, RuleNull: 1, // age 17, abc, empty
		RuleEnum: 1, RulePattern: 1, // gender q, not-an-email
		RuleExtraColumn: 1, // note
		RuleRows:        1, // 4 < 5
		RuleNullShare:   1, // note is 75% null (email 25%, score 25%, age 25% pass)
	}
	if !reflect.DeepEqual(res.ByRule, want) {
		t.Errorf("by rule %v\nwant %v", res.ByRule, want)
	}
	if res.Total != 8 || len(res.Violations) != 3 {
		t.Errorf("total %d, listed %d", res.Total, len(res.Violations))
	}
	first := res.Violations[1] // after the table-level extra column
	if first.Row != 2 || first.Column != "age" || first.Rule != RuleRange || first.Value != "17" || first.Want != "int & >=18 & <=120" {
		t.Errorf("first cell violation %+v", first)
	}
	rep := res.Report()
	if rep.Passed || !strings.Contains(rep.Summary, "8 violation(s)") || rep.Tables[0].Note != "first 3 of 8" {
		t.Errorf("report %+v", rep)
	}
}

func TestCheckPasses(t *testing.T) {
	s := dataset(t, `ds: {
		schema: {id: int, age: _, gender: string, email: string | null, score: number | null, note: string | null}
		rows: {min: 1, max: 10}
	}`)
	res := check(t, people, s)
	if !res.Passed() {
		t.Fatalf("violations: %+v", res.Violations)
	}
	if rep := res.Report(); !rep.Passed || rep.Summary != "4 rows, 6 columns conform to the schema" {
		t.Errorf("report %+v", rep)
	}
}

func TestMissingColumnsAndExtras(t *testing.T) {
	s := dataset(t, `ds: {schema: {id: int, salary: number, bonus?: number}, extra_columns: true}`)
	res := check(t, people, s)
	if !reflect.DeepEqual(res.ByRule, map[string]int64{RuleMissingColumn: 1}) || res.Violations[0].Column != "salary" {
		t.Errorf("by rule %v, %+v", res.ByRule, res.Violations)
	}
}

func TestFallbackColumnsAreNamed(t *testing.T) {
	s := dataset(t, "import \"strings\"\nds: {schema: {id: int, gender: strings.MinRunes(1)}, extra_columns: true}")
	res := check(t, people, s)
	if !res.Passed() || !reflect.DeepEqual(res.Fallback, []string{"gender"}) {
		t.Errorf("passed=%v fallback=%v", res.Passed(), res.Fallback)
	}
}

func TestBadInputStopsTheCheck(t *testing.T) {
	r, err := table.Open("-", table.Options{Format: table.CSV, Stdin: strings.NewReader("a\n1\n2,3\n")})
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(r, &Spec{MaxNullShare: 1, ExtraColumns: true}, Options{})
	if err == nil || !strings.Contains(err.Error(), "row 2") {
		t.Errorf("got %v", err)
	}
}

func checkText(t *testing.T, data string, s *Spec) *Result {
	t.Helper()
	r, err := table.Open("-", table.Options{Stdin: strings.NewReader(data)})
	if err != nil {
		t.Fatal(err)
	}
	res, err := Check(r, s, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestEdgeCases(t *testing.T) {
	for _, tc := range []struct {
		name, spec, data string
		want             map[string]int64
	}{
		{"header only", `ds: {schema: {a: int}, rows: min: 1}`, "a\n", map[string]int64{RuleRows: 1}},
		{"no schema: any columns", `ds: {rows: max: 1}`, "a,b\n1,2\n3,4\n", map[string]int64{RuleRows: 1}},
		{"all nulls allowed", `ds: {schema: {a: int | null}}`, "a\n\n\"\"\n", map[string]int64{}},
		{"all nulls over the share", `ds: {schema: {a: int | null}, max_null_share: 0.5}`, "a,b\n,1\n,2\n", map[string]int64{RuleNullShare: 1, RuleExtraColumn: 1}},
		{"unicode", `ds: {schema: {name: =~"^\\p{L}+$", city: "Zürich" | "東京"}}`, "name,city\nJosé,東京\nZoë,Zürich\nA1,Paris\n", map[string]int64{RulePattern: 1, RuleEnum: 1}},
		{"pandas ints with gaps", `ds: {schema: {n: int | null}}`, "n\n3.0\n\n3.5\n", map[string]int64{RuleType: 1}},
		{"pandas booleans", `ds: {schema: {b: bool}}`, "b\nTrue\nFalse\nyes\n", map[string]int64{RuleType: 1}},
		{"NaN is not a number", `ds: {schema: {x: number}}`, "x\nNaN\n1.5\n-Inf\n", map[string]int64{RuleType: 2}},
		{"typed JSON", `ds: {schema: {n: int, s: string, b: bool}}`, `{"n": 1, "s": "a", "b": true}` + "\n" + `{"n": "1", "s": 2, "b": "true"}` + "\n", map[string]int64{RuleType: 3}},
	} {
		res := checkText(t, tc.data, dataset(t, tc.spec))
		if !reflect.DeepEqual(res.ByRule, tc.want) {
			t.Errorf("%s: %v, want %v (%+v)", tc.name, res.ByRule, tc.want, res.Violations)
		}
	}
}

func TestViolationsInADirectoryNameTheFile(t *testing.T) {
	dir := t.TempDir()
	for name, data := range map[string]string{"a.csv": "n\n1\n", "b.csv": "n\n2\nx\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res := check(t, dir, dataset(t, `ds: schema: n: int`))
	rows := res.Report().Tables[0].Rows
	if want := filepath.Join(dir, "b.csv") + ":2"; len(rows) != 1 || rows[0][0] != want {
		t.Errorf("rows %q, want location %s", rows, want)
	}
}
