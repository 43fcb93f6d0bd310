package pii

import (
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/gate/table"
)

var customers = filepath.Join("..", "..", "testdata", "gate", "pii_customers.csv")

func scan(t *testing.T, opt Options) *Result {
	t.Helper()
	r, err := table.Open(customers, table.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	res, err := Scan(r, opt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func TestScan(t *testing.T) {
	res := scan(t, Options{})
	if res.Passed() || res.Rows != 5 {
		t.Fatalf("passed=%v rows=%d", res.Passed(), res.Rows)
	}
	wantCounts := []ColumnCount{
		{"contact", Email, 1},
		{"contact", Phone, 1},
		{"card", CreditCard, 1},
		{"notes", SSN, 1},
		{"notes", IBAN, 1},
		{"notes", IP, 1},
	}
	if !reflect.DeepEqual(res.Counts, wantCounts) {
		t.Errorf("counts %+v\nwant %+v", res.Counts, wantCounts)
	}
	wantFindings := []Finding{
		{customers, 1, "contact", Email, "a***@example.com"},
		{customers, 2, "contact", Phone, "+* ***-***-**00"},
		{customers, 2, "card", CreditCard, "****-****-****-1881"},
		{customers, 3, "notes", IBAN, "DE** **** **** **** **** 00"},
		{customers, 3, "notes", IP, "192.***.*.**"},
		{customers, 4, "notes", SSN, "***-**-1234"},
	}
	if !reflect.DeepEqual(res.Findings, wantFindings) {
		t.Errorf("findings %+v\nwant %+v", res.Findings, wantFindings)
	}
	rep := res.Report()
	if rep.Passed || !strings.Contains(rep.Summary, "personal data found 6 time(s) in 3 column(s)") {
		t.Errorf("summary %q", rep.Summary)
	}
}

func TestScanOnlyForbidden(t *testing.T) {
	res := scan(t, Options{Forbid: []Entity{SSN, Email}, MaxFindings: 1})
	if res.Total != 2 || len(res.Findings) != 1 || len(res.Counts) != 2 {
		t.Errorf("total %d findings %d counts %+v", res.Total, len(res.Findings), res.Counts)
	}
	if note := res.Report().Tables[1].Note; note != "first 1 of 2" {
		t.Errorf("note %q", note)
	}
}

func TestCleanTablePasses(t *testing.T) {
	r, _ := table.Open("-", table.Options{Stdin: strings.NewReader("a,b\n2024-01-15,0.4012888888881881\n123456789,x@localhost\n")})
	res, err := Scan(r, Options{})
	if err != nil || !res.Passed() {
		t.Fatalf("err %v, findings %+v", err, res.Findings)
	}
	if !strings.HasSuffix(res.Report().Summary, "no personal data found") {
		t.Errorf("summary %q", res.Report().Summary)
	}
}

func TestParseEntities(t *testing.T) {
	got, err := ParseEntities([]string{"email", " ssn", "email"})
	if err != nil || !reflect.DeepEqual(got, []Entity{Email, SSN}) {
		t.Errorf("%v %v", got, err)
	}
	if _, err := ParseEntities([]string{"passport"}); err == nil || !strings.Contains(err.Error(), `unknown entity "passport"`) {
		t.Errorf("got %v", err)
	}
}

// Detectors must never panic and must return a span that is itself found.
func FuzzDetectors(f *testing.F) {
	for _, s := range []string{"4012-8888-8888-1881", "DE89 3704 0044 0532 0130 00", "536-22-1234", "a@b.com", "::1", "+1 650-253-0000", "1.2.3.4."} {
		f.Add(s)
	}
	var p phoneFinder
	finders := map[string]func([]byte) (int, int, bool){
		"card": findCreditCard, "iban": findIBAN, "ssn": findSSN, "email": findEmail, "ip": findIP, "phone": p.find,
	}
	f.Fuzz(func(t *testing.T, s string) {
		for name, find := range finders {
			i, j, ok := find([]byte(s))
			if !ok {
				continue
			}
			if i < 0 || j > len(s) || i >= j {
				t.Fatalf("%s(%q): span [%d,%d)", name, s, i, j)
			}
			if _, _, again := find([]byte(s[i:j])); !again {
				t.Fatalf("%s(%q) found %q, which alone is not found", name, s, s[i:j])
			}
		}
	})
}
