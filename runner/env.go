package runner

import (
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// env is a step's environment being assembled: later sets override
// earlier ones. secret marks names that must never reach an argument.
type env struct {
	vars   map[string]string
	secret map[string]bool
}

func newEnv() *env { return &env{vars: map[string]string{}, secret: map[string]bool{}} }

func (e *env) set(name, value string) { e.vars[name] = value }

func (e *env) setSecret(name, value string) {
	e.vars[name] = value
	e.secret[name] = true
}

// list is the environment in exec's form, sorted for reproducible logs.
func (e *env) list() []string {
	out := make([]string, 0, len(e.vars))
	for k, v := range e.vars {
		out = append(out, k+"="+v)
	}
	sort.Strings(out)
	return out
}

// envRef is the one dynamic form an mlc argument may hold (see ir.ShellWords).
var envRef = regexp.MustCompile(`\$\{([A-Z_][A-Z0-9_]*)\}`)

// expand replaces ${NAME} in every argument with its value, as the shell
// would inside double quotes: no splitting, no globbing. A reference to an
// unset variable or to a secret is an error.
func (e *env) expand(args []string) ([]string, error) {
	out := make([]string, len(args))
	var bad []string
	for i, a := range args {
		out[i] = envRef.ReplaceAllStringFunc(a, func(m string) string {
			name := m[2 : len(m)-1]
			v, ok := e.vars[name]
			if !ok || e.secret[name] {
				bad = append(bad, name)
			}
			return v
		})
	}
	if len(bad) > 0 {
		return nil, fmt.Errorf("argument references ${%s}, which is not set for this step", strings.Join(bad, "}, ${"))
	}
	return out, nil
}

// values are what a step's env may reference: the job's inputs (by
// Input.Name) and the outputs of the steps run so far (by step ID).
type values struct {
	inputs map[string]string
	steps  map[string]map[string]string
}

// value resolves an ir.EnvVar against the job's values.
func (vs values) value(v ir.EnvVar) (string, error) {
	switch {
	case v.FromInput != "":
		val, ok := vs.inputs[v.FromInput]
		if !ok {
			return "", fmt.Errorf("env %s: input %q has no value (its producing job wrote no such output)", v.Name, v.FromInput)
		}
		return val, nil
	case v.FromStep != "":
		val, ok := vs.steps[v.FromStep][v.Output]
		if !ok {
			return "", fmt.Errorf("env %s: step %s wrote no %q to $MLC_OUTPUT", v.Name, v.FromStep, v.Output)
		}
		return val, nil
	}
	return v.Value, nil
}
