// Package schema validates a table against a dataset's schema from
// pipeline.cue: every cell against its column's CUE constraint, required and
// unexpected columns, the row count and each column's share of nulls.
//
// It takes the table's checks as the pipeline spec decoded them and its
// column schema as a cue.Value, and never parses CUE itself. Common constraints (kinds, numeric bounds, literal enums, =~ and
// !~ patterns, null) are compiled to Go checks; anything else is decided by
// CUE unification, value by value.
package schema

import (
	"fmt"

	"cuelang.org/go/cue"

	"github.com/mlc-project/mlc/spec"
)

// Spec is what the dataset declares about its table.
type Spec struct {
	Columns      []Column
	RowsMin      *int64  // rows.min
	RowsMax      *int64  // rows.max
	MaxNullShare float64 // max_null_share, per column; 1 when unset
	ExtraColumns bool    // extra_columns: allow columns the schema does not name
	HasSchema    bool    // the dataset declares a schema; without one any columns go
}

// Column is one schema field.
type Column struct {
	Name       string
	Optional   bool // name?: the column may be absent
	Constraint *Constraint
}

// New is the Spec of a table: its checks t, decoded and range-checked
// with the pipeline spec, and its column schema, a CUE struct whose
// fields' constraints the gate compiles (not set when it declares none).
func New(t spec.Table, columns cue.Value) (*Spec, error) {
	s := &Spec{MaxNullShare: 1, ExtraColumns: t.ExtraColumns}
	if t.Rows != nil {
		s.RowsMin, s.RowsMax = t.Rows.Min, t.Rows.Max
	}
	if t.MaxNullShare != nil {
		s.MaxNullShare = *t.MaxNullShare
	}
	if !columns.Exists() {
		return s, nil
	}
	s.HasSchema = true
	it, err := columns.Fields(cue.Optional(true))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	for it.Next() {
		s.Columns = append(s.Columns, Column{
			Name:       it.Selector().Unquoted(),
			Optional:   it.Selector().ConstraintType() == cue.OptionalConstraint,
			Constraint: NewConstraint(it.Value()),
		})
	}
	return s, nil
}
