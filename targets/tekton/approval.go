package tekton

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// An approval is a task of plain Tekton, no custom task or extra
// controller: its pod waits until a person records the decision as an
// annotation on it,
//
//	kubectl annotate pod -l tekton.dev/pipelineRun=RUN,tekton.dev/pipelineTask=JOB-approval mlc.dev/decision=approve
//
// (or =reject), which the step reads through the downward API, so the pod
// needs no ServiceAccount and no access to the API. Who may decide is whoever
// Kubernetes RBAC lets patch pods in the namespace; the approvers the spec
// names are shown on the pod. The decision is the task's result, which the
// job's when expression tests; no decision before the approval's timeout is a
// rejection.
const (
	decisionAnno    = "mlc.dev/decision"
	approversAnno   = "mlc.dev/approvers"
	decisionResult  = "decision"
	approveDecision = "approve"
	approvalVolume  = "mlc-approval"
	approvalMount   = "/etc/mlc/approval"
	// approvalMargin lets the step reject on its own deadline before the
	// task's timeout would fail it.
	approvalMargin = 10 * time.Minute
)

func (r *renderer) approvalTask(j *ir.Job, runAfter []string, when []whenExpression) pipelineTask {
	a := j.Approval
	description := "Approve " + cmp.Or(j.Name, j.ID)
	if env := approvalEnvironment(j); env != "" {
		description += " (environment " + env + ")"
	}
	meta := &taskMetadata{Annotations: map[string]string{}}
	if env := approvalEnvironment(j); env != "" {
		meta.Annotations[envAnno] = env
	}
	if len(a.Approvers) > 0 {
		meta.Annotations[approversAnno] = strings.Join(a.Approvers, ", ")
	}
	timeout := "0s" // wait for a decision however long it takes
	if a.Timeout > 0 {
		timeout = (a.Timeout + approvalMargin).String()
	}
	return pipelineTask{
		Name:        approvalTaskName(j),
		DisplayName: description,
		When:        when,
		RunAfter:    runAfter,
		Timeout:     timeout,
		TaskSpec: &embeddedTask{
			Metadata: meta,
			Results:  []result{{Name: decisionResult, Type: "string", Description: "approve or reject"}},
			Volumes: []kube.Volume{{Name: approvalVolume, DownwardAPI: &kube.DownwardAPIVolume{Items: []kube.DownwardAPIFile{
				{Path: "annotations", FieldRef: kube.FieldSelect{FieldPath: "metadata.annotations"}},
			}}}},
			Steps: []step{{
				Name:         "wait",
				Image:        r.p.MLCImage,
				Command:      []string{"sh", "-ec", approvalScript},
				VolumeMounts: []kube.VolumeMount{{Name: approvalVolume, MountPath: approvalMount, ReadOnly: true}},
				Env: []kube.EnvVar{
					{Name: "MLC_DEADLINE_SECONDS", Value: fmt.Sprint(int64(a.Timeout / time.Second))},
					{Name: "MLC_RESULT", Value: "$(results." + decisionResult + ".path)"},
				},
			}},
		},
	}
}

// approvalScript polls the pod's annotations (the kubelet refreshes the
// file within about a minute of a change) until the decision is set or the
// deadline (0: none) passes.
const approvalScript = `deadline=0
if [ "$MLC_DEADLINE_SECONDS" -gt 0 ]; then deadline=$(($(date +%s) + MLC_DEADLINE_SECONDS)); fi
echo "waiting for a decision: kubectl annotate pod $HOSTNAME ` + decisionAnno + `=approve (or reject)"
while :; do
  decision=$(awk -F= '$1 == "` + decisionAnno + `" { v = $2; gsub(/"/, "", v); print v }' ` + approvalMount + `/annotations)
  case $decision in approve | reject) break ;; esac
  if [ "$deadline" -gt 0 ] && [ "$(date +%s)" -ge "$deadline" ]; then
    echo "no decision before the deadline"
    decision=reject
    break
  fi
  sleep 5
done
echo "decision: $decision"
printf '%s' "$decision" > "$MLC_RESULT"
`
