package kube

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// ValueFn prints the value of the last line "$2=..." of the step output
// file $1 (nothing when the step wrote none).
// Kubernetes steps are containers of one pod, so one step reads another's
// outputs from its file on a shared volume, as data: never evaluated.
const ValueFn = `mlc_value() {
	value=
	if [ -f "$1" ]; then
		while IFS= read -r line || [ -n "$line" ]; do
			case $line in "$2="*) value=${line#*=} ;; esac
		done < "$1"
	fi
	printf '%s' "$value"
}`

// StepOutputEnv is the shell that sets the env vars of step s that take an
// earlier step's output (ir.EnvVar.FromStep), reading the file file(ID) of
// that step. It is empty when s has none; an output that is empty fails the
// step, since the step would act on nothing. Backquotes, not "$(", which
// Tekton and the kubelet would take for their own references.
func StepOutputEnv(j *ir.Job, s ir.Step, file func(stepID string) string) (string, error) {
	at := slices.IndexFunc(j.Steps, func(x ir.Step) bool { return x.ID == s.ID })
	var lines []string
	for _, v := range s.Env {
		if v.FromStep == "" {
			continue
		}
		from := slices.IndexFunc(j.Steps, func(x ir.Step) bool { return x.ID == v.FromStep })
		if from < 0 || at >= 0 && from >= at {
			return "", fmt.Errorf("env %s: step %q is not an earlier step of job %q", v.Name, v.FromStep, j.ID)
		}
		if !ir.EnvName.MatchString(v.Name) || !ir.EnvName.MatchString(v.Output) {
			return "", fmt.Errorf("env %s: %q is not a valid variable or output name", v.Name, v.Output)
		}
		lines = append(lines,
			v.Name+"=`mlc_value "+ir.ShellWords([]string{file(v.FromStep)})+" "+v.Output+"`",
			`[ -n "$`+v.Name+`" ] || { echo "mlc: step `+v.FromStep+` wrote no `+v.Output+`" >&2; exit 1; }`,
			"export "+v.Name)
	}
	if len(lines) == 0 {
		return "", nil
	}
	return ValueFn + "\n" + strings.Join(lines, "\n") + "\n", nil
}
