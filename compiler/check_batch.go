package compiler

import (
	"fmt"
	"maps"
	"slices"
)

// checkBatch: an app scores in batch exactly when its prediction modes
// say so, with a model that some environment runs in production.
func checkBatch(s *Spec) Errors {
	var errs Errors
	for _, name := range slices.Sorted(maps.Keys(s.Apps)) {
		a := s.Apps[name]
		wants := slices.Contains(a.Prediction, "batch")
		switch {
		case wants && a.Batch == nil:
			errs = append(errs, &Error{Pos: s.pos("apps", name, "prediction"), Path: "apps." + name + ".prediction",
				Msg:  `"batch" prediction without apps.` + name + ".batch",
				Hint: `say what to score: batch: {data: DATASET, run: "python score.py"}, or drop "batch"`})
		case !wants && a.Batch != nil:
			errs = append(errs, &Error{Pos: s.pos("apps", name, "batch"), Path: "apps." + name + ".batch",
				Msg:  `apps.` + name + `.batch without "batch" in prediction`,
				Hint: `add "batch" to apps.` + name + `.prediction`})
		case a.Batch != nil:
			if _, ok := s.finalEnvironment(a.Model); !ok {
				errs = append(errs, &Error{Pos: s.pos("apps", name, "batch"), Path: "apps." + name + ".batch",
					Msg:  fmt.Sprintf("batch scoring uses the model in production, but no environment deploys app %s", name),
					Hint: "add an environment whose app is " + name})
			}
		}
	}
	return errs
}
