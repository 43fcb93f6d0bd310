package spec

// Table is what mlc check schema checks of a table's files (#Table): a
// dataset's, or batch predictions'. The column schema itself stays a CUE
// value (Columns), since each column's constraint is CUE.
type Table struct {
	Format       string     `json:"format,omitempty"`
	Rows         *RowLimits `json:"rows,omitempty"`
	MaxNullShare *float64   `json:"max_null_share,omitempty"` // 0 to 1, checked by the schema
	ExtraColumns bool       `json:"extra_columns"`
	// HasSchema: the table declares a schema (columns), which the decoder
	// cannot see as it is open CUE; the loader records it.
	HasSchema bool `json:"-"`
}

// RowLimits bound a table's row count.
type RowLimits struct {
	Min *int64 `json:"min,omitempty"`
	Max *int64 `json:"max,omitempty"`
}
