package compiler

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// argRef is the ${NAME} form ir.ShellWords leaves for the shell to expand.
var argRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// targetEnv is what every target sets in every job (docs/ir.md).
const targetEnv = "MLC_REVISION"

// engineEnv are the variables every engine compiled for sets.
func engineEnv(engines []ir.Engine) map[string]bool {
	env := map[string]bool{targetEnv: true}
	if len(engines) == 0 {
		return env
	}
	count := map[string]int{}
	for _, e := range engines {
		for _, n := range e.Env {
			count[n]++
		}
	}
	for n, c := range count {
		env[n] = c == len(engines)
	}
	return env
}

// checkArgRefs: an mlc step's arguments reference only the values mlc
// gives the job (its env, its inputs, the revision, what the engines set).
// User text reaches arguments (params, gates, columns, paths); with "${COSIGN_PASSWORD}" in a
// param the shell would put the step's secret into the published
// provenance, and "${ACTIONS_ID_TOKEN_REQUEST_TOKEN}" the runner's.
func checkArgRefs(p *ir.Pipeline, b *builder) Errors {
	var errs Errors
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			allowed := engineEnv(b.spec.src.engines)
			allowed["MLC_BASE"] = j.History
			for _, e := range j.Env {
				allowed[e.Name] = true
			}
			for _, in := range j.Inputs {
				allowed[in.Env] = true
			}
			for _, st := range j.Steps {
				if st.Kind != ir.StepMLC {
					continue
				}
				for _, a := range st.Args {
					if !strings.Contains(a, "${") {
						continue // the regexp costs more than the look
					}
					for _, m := range argRef.FindAllStringSubmatch(a, -1) {
						if !allowed[m[1]] && !slices.ContainsFunc(st.Env, func(e ir.EnvVar) bool { return e.Name == m[1] }) {
							errs = append(errs, b.errAt(j.ID, fmt.Sprintf("job %s, step %s: the argument %q would expand ${%s} in the step's shell", j.ID, st.ID, a, m[1]),
								"values the spec hands to mlc commands (params, gates, columns, paths) cannot reference variables; write the value itself"))
						}
					}
				}
			}
		}
	}
	return errs
}
