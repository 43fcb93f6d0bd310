# shellcheck shell=bash disable=SC2154 # git_url, out, run_timeout: set by run.sh
# Argo Workflows runs for run.sh (sourced; uses its log, row, git_url,
# run_timeout and revision_of).

# argo_run NAMESPACE TEMPLATE REVISION DECISION SKIPPED: submit a Workflow
# from the WorkflowTemplate, answer its approvals with DECISION, wait, and
# report every task of its DAG; status 1 unless each succeeded or was skipped
# as SKIPPED says.
argo_run() {
	local ns=$1 tmpl=$2 revision=$3 decision=$4 skipped=$5 wf phase start=$SECONDS
	wf=$(kubectl -n "$ns" create -o jsonpath='{.metadata.name}' -f - <<EOF
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: $tmpl-
spec:
  workflowTemplateRef:
    name: $tmpl
  arguments:
    parameters:
      - name: repo
        value: "$git_url"
      - name: revision
        value: "$(revision_of "$revision")"
$(base=$(base_of "$revision") && [[ -n $base ]] && printf '      - name: base\n        value: "%s"\n' "$base")
EOF
	)
	log "argo: workflow $wf"
	phase=$(await_run argo "$ns" workflow "$wf" '{.status.phase}' "$decision" "$start" Succeeded Failed Error)
	argo_report "$ns" "$tmpl" "$wf" "$phase" "$skipped"
}

# argo_decide NAMESPACE WORKFLOW DECISION: what `argo node set
# --output-parameter approve=DECISION` and `argo resume` do, as a patch of
# each suspended approval node: its output set, the node succeeded.
argo_decide() {
	local ns=$1 wf=$2 decision=$3 id now
	now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	for id in $(kubectl -n "$ns" get workflow "$wf" -o json |
		jq -r '.status.nodes // {} | to_entries[] | select(.value.type == "Suspend" and .value.phase == "Running") | .key'); do
		log "argo: $decision ${id}"
		kubectl -n "$ns" patch workflow "$wf" --type merge -p "{\"status\":{\"nodes\":{\"$id\":{\"phase\":\"Succeeded\",\"finishedAt\":\"$now\",\"message\":\"e2e: $decision\",\"outputs\":{\"parameters\":[{\"name\":\"approve\",\"value\":\"$decision\",\"valueFrom\":{\"supplied\":{}}}]}}}}}" >/dev/null
	done
}

# argo_report NAMESPACE TEMPLATE WORKFLOW PHASE SKIPPED: one row per DAG task.
argo_report() {
	local ns=$1 tmpl=$2 wf=$3 phase=$4 skipped=$5 task status secs reason bad=0 nodes
	nodes=$(kubectl -n "$ns" get workflow "$wf" -o json)
	for task in $(kubectl -n "$ns" get workflowtemplate "$tmpl" -o json | jq -r '.spec.templates[] | select(.name == "dag") | .dag.tasks[].name'); do
		# The reason of a failed job: its first step that failed on its own
		# (the later ones fail with "dependency ... exited").
		read -r status secs reason < <(jq -r --arg t "$task" '
			(.status.nodes // {} | [.[]]) as $all |
			[$all[] | select(.displayName == $t and .type != "Container")] | first // {phase: "NotRun"} |
			. as $n |
			([$all[] | select(.type == "Container" and (.name | startswith($n.name + ".")) and .phase != "Succeeded" and ((.message // "") | test("dependency \"[^\"]*\" exited") | not))] | first) as $step |
			[$n.phase,
			 (if $n.startedAt and $n.finishedAt then (($n.finishedAt | fromdate) - ($n.startedAt | fromdate)) else 0 end),
			 ((if $step then "\($step.displayName): \($step.message // "-")" else ($n.message // "-") end) | gsub("[\t\n ]+"; " "))] | @tsv' <<<"$nodes" | tr '\t' ' ')
		case $status in Skipped | Omitted) status=skipped ;; Succeeded) status=ok ;; esac
		task_row "$tmpl" "$wf" "$task" "$status" "$secs" "$reason" "$skipped" || bad=1
	done
	[[ $phase == Succeeded ]] || bad=1
	reason=$(jq -r '"\(.status.phase // "-"): \(.status.message // "-")" | gsub("[\t\n ]+"; " ")' <<<"$nodes")
	row "$tmpl" "$wf" "(run)" "$(verdict "$bad")" "$(jq -r 'if .status.finishedAt then (.status.finishedAt | fromdate) - (.status.startedAt | fromdate) else 0 end' <<<"$nodes")" "$reason"
	return "$bad"
}

# argo_triggered NAMESPACE TEMPLATE SINCE: the run of TEMPLATE a trigger step
# created at or after SINCE (UTC, RFC 3339) is reported, then deleted (it is
# checked to exist and to build the commit given, not run: see plans.sh).
argo_triggered() {
	local ns=$1 tmpl=$2 since=$3 found
	found=$(kubectl -n "$ns" get workflows -o json | jq -r --arg t "$tmpl" --arg s "$since" '
		[.items[] | select(.spec.workflowTemplateRef.name == $t and .metadata.creationTimestamp >= $s)] | first //empty |
		"\(.metadata.name) \([.spec.arguments.parameters[] | select(.name == "revision") | .value] | first)"')
	if [[ -z $found ]]; then
		row "$tmpl" - "(triggered run)" missing 0 "no run of $tmpl was started"
		return 1
	fi
	row "$tmpl" "${found%% *}" "(triggered run)" ok 0 "started by the trigger step, revision ${found#* }"
	kubectl -n "$ns" delete workflow "${found%% *}" --wait=false >/dev/null
}
