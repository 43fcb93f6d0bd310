// Package schema embeds the CUE definition of pipeline.cue (#Pipeline) and
// builds it once per CUE context.
package schema

import (
	_ "embed"

	"cuelang.org/go/cue"
)

// Source is the CUE schema text, file pipeline.cue of this package.
//
//go:embed pipeline.cue
var Source []byte

// Starter is the pipeline.cue `mlc init` writes: small, valid, commented.
//
//go:embed starter.cue
var Starter []byte

// Filename is the name schema positions are reported under.
const Filename = "mlc/schema/pipeline.cue"

// Pipeline compiles the schema in ctx and returns the #Pipeline definition.
func Pipeline(ctx *cue.Context) (cue.Value, error) {
	v := ctx.CompileBytes(Source, cue.Filename(Filename))
	if err := v.Err(); err != nil {
		return cue.Value{}, err
	}
	def := v.LookupPath(cue.ParsePath("#Pipeline"))
	return def, def.Err()
}
