package schema

import (
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/mlc-project/mlc/gate/table"
)

// constraints are column constraints as users write them; fast says whether
// mlc compiles them to Go.
var constraints = []struct {
	src  string
	fast bool
}{
	{`int`, true},
	{`float`, true},
	{`number`, true},
	{`string`, true},
	{`bool`, true},
	{`null`, true},
	{`_`, true},
	{`int & >=18 & <=120`, true},
	{`>0 & <1`, true},
	{`number & >=0.5`, true},
	{`!=3`, true},
	{`int | null`, true},
	{`null | int & >0`, true},
	{`"f" | "m" | "x"`, true},
	{`*"a" | "b"`, true},
	{`1 | 2 | 3`, true},
	{`1.5 | 2.5`, true},
	{`true`, true},
	{`false | "n/a"`, true},
	{`"exact"`, true},
	{`=~"^[a-z]+@[a-z]+\\.com$"`, true},
	{`string & =~"^a" & !~"z$"`, true},
	{`int | string`, true},
	{`uint8`, true},
	{`strings.MinRunes(3)`, false},
	{`(int | string) & !="x"`, false},
	{`>"m"`, false},
	{`[...int]`, false},
}

var cells = []table.Cell{
	{Kind: table.Null},
	{Kind: table.Text, Bytes: []byte("18")},
	{Kind: table.Text, Bytes: []byte("17")},
	{Kind: table.Text, Bytes: []byte("120")},
	{Kind: table.Text, Bytes: []byte("121")},
	{Kind: table.Text, Bytes: []byte("0.5")},
	{Kind: table.Text, Bytes: []byte("1.5")},
	{Kind: table.Text, Bytes: []byte("3")},
	{Kind: table.Text, Bytes: []byte("3.0")},
	{Kind: table.Text, Bytes: []byte("18.0")},
	{Kind: table.Text, Bytes: []byte("1e300")},
	{Kind: table.Text, Bytes: []byte("-1")},
	{Kind: table.Text, Bytes: []byte("256")},
	{Kind: table.Text, Bytes: []byte("1e3")},
	{Kind: table.Text, Bytes: []byte("NaN")},
	{Kind: table.Text, Bytes: []byte("Inf")},
	{Kind: table.Text, Bytes: []byte("true")},
	{Kind: table.Text, Bytes: []byte("False")},
	{Kind: table.Text, Bytes: []byte("TRUE")},
	{Kind: table.Text, Bytes: []byte("f")},
	{Kind: table.Text, Bytes: []byte("x")},
	{Kind: table.Text, Bytes: []byte("a")},
	{Kind: table.Text, Bytes: []byte("abz")},
	{Kind: table.Text, Bytes: []byte("abc")},
	{Kind: table.Text, Bytes: []byte("ab")},
	{Kind: table.Text, Bytes: []byte("exact")},
	{Kind: table.Text, Bytes: []byte("jo@ex.com")},
	{Kind: table.Text, Bytes: []byte("été")},
	{Kind: table.String, Bytes: []byte("18")},
	{Kind: table.String, Bytes: []byte("m")},
	{Kind: table.Number, Bytes: []byte("18")},
	{Kind: table.Number, Bytes: []byte("2.5")},
	{Kind: table.Number, Bytes: []byte("3.0")},
	{Kind: table.Bool, Bytes: []byte("true")},
	{Kind: table.Bool, Bytes: []byte("false")},
}

func compileColumn(t *testing.T, src string) cue.Value {
	t.Helper()
	v := cuecontext.New().CompileString("import \"strings\"\n_s: strings.ToUpper(\"\")\ncol: " + src)
	if v.Err() != nil {
		t.Fatalf("%s: %v", src, v.Err())
	}
	return v.LookupPath(cue.ParsePath("col"))
}

// The Go checks must accept exactly the cells CUE accepts.
func TestCompiledAgreesWithCUE(t *testing.T) {
	for _, tc := range constraints {
		v := compileColumn(t, tc.src)
		c := NewConstraint(v)
		if c.Compiled() != tc.fast {
			t.Errorf("%s: compiled = %v, want %v", tc.src, c.Compiled(), tc.fast)
		}
		for _, cell := range cells {
			want := c.checkCUE(cell, candidates(nil, cell, cue.TopKind))
			got := want
			if c.Compiled() {
				got = c.checkFast(cell, candidates(nil, cell, c.kinds))
			}
			if (got == "") != (want == "") {
				t.Errorf("%s with %v %q: Go says %q, CUE says %q", tc.src, cell.Kind, cell.Bytes, got, want)
			}
		}
	}
}

func TestRules(t *testing.T) {
	for _, tc := range []struct {
		src  string
		cell table.Cell
		want string
	}{
		{`int & >=18`, table.Cell{Kind: table.Text, Bytes: []byte("17")}, RuleRange},
		{`int & >=18`, table.Cell{Kind: table.Text, Bytes: []byte("x")}, RuleType},
		{`int & >=18`, table.Cell{Kind: table.Null}, RuleNull},
		{`"f" | "m"`, table.Cell{Kind: table.Text, Bytes: []byte("x")}, RuleEnum},
		{`=~"^a"`, table.Cell{Kind: table.Text, Bytes: []byte("b")}, RulePattern},
		{`strings.MinRunes(3)`, table.Cell{Kind: table.Text, Bytes: []byte("ab")}, RuleConstraint},
		{`strings.MinRunes(3)`, table.Cell{Kind: table.Text, Bytes: []byte("abc")}, ""},
	} {
		if got := NewConstraint(compileColumn(t, tc.src)).Check(tc.cell); got != tc.want {
			t.Errorf("%s with %q: %q, want %q", tc.src, tc.cell.Bytes, got, tc.want)
		}
	}
}
