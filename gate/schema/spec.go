// Package schema validates a table against a dataset's schema from
// pipeline.cue: every cell against its column's CUE constraint, required and
// unexpected columns, the row count and each column's share of nulls.
//
// It takes the dataset as a cue.Value (datasets.NAME) and never parses CUE
// itself. Common constraints (kinds, numeric bounds, literal enums, =~ and
// !~ patterns, null) are compiled to Go checks; anything else is decided by
// CUE unification, value by value.
package schema

import (
	"fmt"

	"cuelang.org/go/cue"
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

// FromDataset reads a Spec from the value of datasets.NAME.
func FromDataset(ds cue.Value) (*Spec, error) {
	if err := ds.Err(); err != nil {
		return nil, err
	}
	s := &Spec{MaxNullShare: 1}
	if sch := ds.LookupPath(cue.ParsePath("schema")); sch.Exists() {
		s.HasSchema = true
		it, err := sch.Fields(cue.Optional(true))
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
	}
	var err error
	if s.RowsMin, err = optionalInt(ds, "rows.min"); err != nil {
		return nil, err
	}
	if s.RowsMax, err = optionalInt(ds, "rows.max"); err != nil {
		return nil, err
	}
	if v := ds.LookupPath(cue.ParsePath("max_null_share")); v.Exists() {
		if s.MaxNullShare, err = v.Float64(); err != nil {
			return nil, fmt.Errorf("max_null_share: %w", err)
		}
		if s.MaxNullShare < 0 || s.MaxNullShare > 1 {
			return nil, fmt.Errorf("max_null_share: %v is not between 0 and 1", s.MaxNullShare)
		}
	}
	if v := ds.LookupPath(cue.ParsePath("extra_columns")); v.Exists() {
		v, _ = v.Default()
		if s.ExtraColumns, err = v.Bool(); err != nil {
			return nil, fmt.Errorf("extra_columns: %w", err)
		}
	}
	return s, nil
}

func optionalInt(ds cue.Value, path string) (*int64, error) {
	v := ds.LookupPath(cue.ParsePath(path))
	if !v.Exists() {
		return nil, nil
	}
	i, err := v.Int64()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &i, nil
}
