// Package pii finds personal data (emails, phone numbers, US social security
// numbers, credit card numbers, IBANs, IP addresses) in every cell of a
// table, validating each match as Microsoft Presidio does to keep false
// positives low, and reports where it is with masked samples only.
package pii

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/gate/report"
	"github.com/mlc-project/mlc/gate/table"
)

// Entity is a kind of personal data.
type Entity string

const (
	Email      Entity = "email"
	Phone      Entity = "phone"
	SSN        Entity = "ssn"
	CreditCard Entity = "credit_card"
	IBAN       Entity = "iban"
	IP         Entity = "ip"
)

// All lists every entity, in report order; the i* constants index it.
var All = []Entity{Email, Phone, SSN, CreditCard, IBAN, IP}

const (
	iEmail = iota
	iPhone
	iSSN
	iCreditCard
	iIBAN
	iIP
	nEntities
)

// ParseEntities reads entity names, as given to --forbid.
func ParseEntities(names []string) ([]Entity, error) {
	var out []Entity
	for _, n := range names {
		e := Entity(strings.TrimSpace(n))
		if !slices.Contains(All, e) {
			return nil, fmt.Errorf("unknown entity %q; known: %s", n, joinEntities(All))
		}
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	return out, nil
}

func joinEntities(es []Entity) string {
	s := make([]string, len(es))
	for i, e := range es {
		s[i] = string(e)
	}
	return strings.Join(s, ", ")
}

// Options tune Scan.
type Options struct {
	Forbid      []Entity // entities to look for; All if empty
	MaxFindings int      // findings listed with a sample; the rest are only counted. Default 20.
}

// Finding is one cell holding an entity. Sample is masked.
type Finding struct {
	File   string `json:"file"`
	Row    int    `json:"row"`
	Column string `json:"column"`
	Entity Entity `json:"entity"`
	Sample string `json:"sample"`
}

// ColumnCount is how many cells of a column hold an entity.
type ColumnCount struct {
	Column string `json:"column"`
	Entity Entity `json:"entity"`
	Cells  int64  `json:"cells"`
}

// Result is the outcome of Scan.
type Result struct {
	Rows      int64         `json:"rows"`
	Columns   int           `json:"columns"`
	Forbid    []Entity      `json:"forbid"`
	Total     int64         `json:"total_findings"` // cells × entities found
	Counts    []ColumnCount `json:"by_column"`
	Findings  []Finding     `json:"findings"` // the first MaxFindings
	multiFile bool
}

// Passed reports whether no forbidden entity was found.
func (r *Result) Passed() bool { return r.Total == 0 }

// Scan reads every cell of t. The error is reserved for unreadable input.
func Scan(t *table.Reader, opt Options) (*Result, error) {
	if len(opt.Forbid) == 0 {
		opt.Forbid = All
	}
	if opt.MaxFindings <= 0 {
		opt.MaxFindings = 20
	}
	cols := t.Columns()
	res := &Result{Columns: len(cols), Forbid: opt.Forbid}
	scanners := make([]*cellScanner, len(cols))
	for i := range scanners {
		scanners[i] = newCellScanner(opt.Forbid)
	}
	counts := make([][nEntities]int64, len(cols))
	res.multiFile = len(t.Files()) > 1
	// Parsing and scanning each take about half the time: run them on two cores.
	err := t.Batches(func(b *table.Batch) error {
		for row := range b.Len() {
			res.Rows++
			for i, cell := range b.Cells(row) {
				if cell.Kind == table.Null || cell.Kind == table.Bool {
					continue
				}
				found := scanners[i].scan(cell.Bytes)
				for found != 0 {
					e := lowestEntity(&found)
					counts[i][e]++
					res.Total++
					if len(res.Findings) < opt.MaxFindings {
						s, end := scanners[i].spans[e][0], scanners[i].spans[e][1]
						res.Findings = append(res.Findings, Finding{b.File(row), b.Row(row), cols[i], All[e], mask(All[e], cell.Bytes[s:end])})
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for i, c := range counts {
		for e, n := range c {
			if n > 0 {
				res.Counts = append(res.Counts, ColumnCount{cols[i], All[e], n})
			}
		}
	}
	return res, nil
}

// lowestEntity pops the lowest set bit of *set and returns its index in All.
func lowestEntity(set *uint8) int {
	for e := range All {
		if *set&(1<<e) != 0 {
			*set &^= 1 << e
			return e
		}
	}
	return -1
}

// Character classes for the one-pass pre-filter.
const (
	cAt uint8 = 1 << iota
	cColon
	cDot
	cUpper
)

var class = func() (c [256]uint8) {
	c['@'], c[':'], c['.'] = cAt, cColon, cDot
	for b := 'A'; b <= 'Z'; b++ {
		c[b] = cUpper
	}
	return c
}()

// cellScanner runs the enabled detectors on the cells of one column.
type cellScanner struct {
	enabled [nEntities]bool
	spans   [nEntities][2]int // where each entity was found in the last cell
	phone   phoneFinder
}

func newCellScanner(forbid []Entity) *cellScanner {
	s := &cellScanner{}
	for e, ent := range All {
		s.enabled[e] = slices.Contains(forbid, ent)
	}
	return s
}

// scan returns the set of entities found in b (bit e for All[e]). A single
// pass counts digits and notes telling characters, so that most cells never
// reach a detector.
func (s *cellScanner) scan(b []byte) uint8 {
	digits, flags := 0, uint8(0)
	for _, c := range b {
		if c-'0' < 10 {
			digits++
		} else {
			flags |= class[c]
		}
	}
	var found uint8
	try := func(e int, pass bool, find func([]byte) (int, int, bool)) {
		if !s.enabled[e] || !pass {
			return
		}
		if i, j, ok := find(b); ok {
			s.spans[e] = [2]int{i, j}
			found |= 1 << e
		}
	}
	try(iEmail, flags&cAt != 0, findEmail)
	try(iPhone, digits >= 7, s.phone.find)
	try(iSSN, digits >= 9 && len(b) >= 11, findSSN)
	try(iCreditCard, digits >= 13, findCreditCard)
	try(iIBAN, flags&cUpper != 0 && digits >= 2 && len(b) >= 15, findIBAN)
	try(iIP, (flags&cDot != 0 && digits >= 4) || flags&cColon != 0, findIP)
	return found
}

// mask hides an entity: the email's local part after its first character;
// all but the last four digits of cards and SSNs; the account of an IBAN
// but its country and last two characters; all but the last two digits of
// a phone number; all but the first part of an IP address.
func mask(e Entity, m []byte) string {
	switch e {
	case Email:
		at := strings.IndexByte(string(m), '@')
		return string(m[:1]) + "***" + string(m[at:])
	case CreditCard, SSN:
		return maskAlnum(m, 0, 4)
	case IBAN:
		return maskAlnum(m, 2, 2)
	case Phone:
		return maskAlnum(m, 0, 2)
	}
	first := strings.IndexAny(string(m), ".:")
	if first < 0 {
		first = len(m)
	}
	return string(m[:first]) + maskAlnum(m[first:], 0, 0)
}

// maskAlnum replaces letters and digits with '*' except the first keep1 and
// last keep2 of them, keeping separators so the shape stays readable.
func maskAlnum(m []byte, keep1, keep2 int) string {
	total := 0
	for _, c := range m {
		if isDigit(c) || isUpper(c) || (c >= 'a' && c <= 'z') {
			total++
		}
	}
	out := []byte(string(m))
	k := 0
	for i, c := range out {
		if isDigit(c) || isUpper(c) || (c >= 'a' && c <= 'z') {
			if k >= keep1 && k < total-keep2 {
				out[i] = '*'
			}
			k++
		}
	}
	return string(out)
}

// Report renders the result for the reader.
func (r *Result) Report() *report.Report {
	rep := &report.Report{Check: "pii", Passed: r.Passed(), Details: r}
	scope := fmt.Sprintf("%d rows × %d columns scanned for %s", r.Rows, r.Columns, joinEntities(r.Forbid))
	if r.Passed() {
		rep.Summary = scope + ": no personal data found"
		return rep
	}
	rep.Summary = fmt.Sprintf("%s: personal data found %d time(s) in %d column(s)", scope, r.Total, r.columnsWithFindings())
	byCol := report.Table{Title: "Personal data by column", Columns: []string{"column", "entity", "cells"}}
	for _, c := range r.Counts {
		byCol.Rows = append(byCol.Rows, []string{c.Column, string(c.Entity), strconv.FormatInt(c.Cells, 10)})
	}
	first := report.Table{Title: "Findings (masked)", Columns: []string{"row", "column", "entity", "sample"}}
	if int64(len(r.Findings)) < r.Total {
		first.Note = fmt.Sprintf("first %d of %d", len(r.Findings), r.Total)
	}
	for _, f := range r.Findings {
		row := strconv.Itoa(f.Row)
		if r.multiFile {
			row = f.File + ":" + row
		}
		first.Rows = append(first.Rows, []string{row, f.Column, string(f.Entity), f.Sample})
	}
	rep.Tables = []report.Table{byCol, first}
	return rep
}

func (r *Result) columnsWithFindings() int {
	seen := map[string]bool{}
	for _, c := range r.Counts {
		seen[c.Column] = true
	}
	return len(seen)
}
