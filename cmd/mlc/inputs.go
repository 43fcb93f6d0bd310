package main

import (
	"context"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/lineage"
	"github.com/mlc-project/mlc/artifact/sign"
)

// provenanceInputs are the inputs, by digest and by role (dataset, code),
// that the verified provenance of ref names: a model's datasets and code,
// for a step that has the model but not the jobs that made it (a run that
// did not retrain reuses the production model).
func provenanceInputs(ctx context.Context, ref string, opts artifact.Options, p sign.Policy) (map[string][]string, error) {
	st, _, digest, err := resolveArtifact(ctx, ref, opts)
	if err != nil {
		return nil, err
	}
	prov, err := lineage.Read(ctx, st, digest, p)
	if err != nil {
		return nil, prefixError(verifyError(err), ref+": provenance")
	}
	byRole := map[string][]string{}
	for _, in := range prov.Inputs {
		byRole[in.Role] = append(byRole[in.Role], in.Ref())
	}
	return byRole, nil
}
