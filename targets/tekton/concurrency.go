package tekton

import (
	"cmp"
	"strconv"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// Tekton cannot queue or cancel PipelineRuns by itself, so a workflow with
// a concurrency group starts with the queue task: it labels its own run
// with the group, then waits until every earlier unfinished run of the
// group is done (or cancels them, for CancelInProgress). Runs are ordered
// by creation time, then name, so two runs never wait for each other.
const (
	queueTask        = "mlc-queue"
	concurrencyLabel = "mlc.dev/concurrency"
)

func queueAccount(workflow string) string { return workflow + "-queue" }

func (r *renderer) queueTask(w *ir.Workflow) pipelineTask {
	display := "Wait for earlier runs of " + w.Concurrency
	if w.CancelInProgress {
		display = "Cancel earlier runs of " + w.Concurrency
	}
	return pipelineTask{
		Name:        queueTask,
		DisplayName: display,
		Timeout:     "0s", // waits as long as earlier runs take
		Params:      []param{{Name: "MLC_RUN", Value: "$(context.pipelineRun.name)"}},
		TaskSpec: &embeddedTask{
			Params: []paramSpec{{Name: "MLC_RUN", Type: "string"}},
			Steps: []step{{
				Name:    "queue",
				Image:   cmp.Or(r.p.Helpers.KubectlShell, shellKubectlImage),
				Command: []string{"sh", "-ec", queueScript},
				Env: []kube.EnvVar{
					{Name: "MLC_CANCEL_IN_PROGRESS", Value: strconv.FormatBool(w.CancelInProgress)},
					{Name: "MLC_GROUP", Value: w.Concurrency},
					{Name: "MLC_RUN", Value: "$(params.MLC_RUN)"},
				},
			}},
		},
	}
}

const queueScript = `kubectl label --overwrite pipelinerun "$MLC_RUN" "` + concurrencyLabel + `=$MLC_GROUP"
while :; do
  kubectl get pipelineruns -l "` + concurrencyLabel + `=$MLC_GROUP" -o jsonpath='{range .items[*]}{.metadata.creationTimestamp} {.metadata.name} {.status.completionTime}{"\n"}{end}' | sort > /tmp/runs
  earlier=` + "`" + `awk -v self="$MLC_RUN" '$2 == self { exit } NF == 2 { print $2 }' /tmp/runs` + "`" + `
  if [ -z "$earlier" ]; then exit 0; fi
  for run in $earlier; do
    if [ "$MLC_CANCEL_IN_PROGRESS" = true ]; then
      kubectl patch pipelinerun "$run" --type merge -p '{"spec":{"status":"Cancelled"}}'
    else
      echo "waiting for $run"
    fi
  done
  sleep 15
done
`

// queueObjects is the ServiceAccount the queue task runs as: it may read
// and label runs, and cancel them.
func (r *renderer) queueObjects(w *ir.Workflow) []any {
	if w.Concurrency == "" {
		return nil
	}
	return r.account(queueAccount(w.Name), "get", "list", "patch")
}

// account is a ServiceAccount with a Role granting verbs on PipelineRuns in
// its namespace, and nothing else.
func (r *renderer) account(name string, verbs ...string) []any {
	return kube.Account(r.meta(name), kube.PolicyRule{APIGroups: []string{"tekton.dev"}, Resources: []string{"pipelineruns"}, Verbs: verbs})
}
