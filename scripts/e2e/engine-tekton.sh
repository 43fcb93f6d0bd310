# shellcheck shell=bash disable=SC2154 # git_url, out, run_timeout: set by run.sh
# Tekton Pipelines runs for run.sh (sourced; uses its log, row, out,
# git_url, run_timeout and revision_of).

# tekton_run NAMESPACE PIPELINE REVISION DECISION SKIPPED: create a
# PipelineRun from the run template mlc wrote (runs/PIPELINE.yaml) with the
# run's parameters, as a trigger would; answer its approvals with DECISION;
# wait, and report every task; status 1 unless each succeeded or was skipped
# as SKIPPED says (the on-failure finally task is always expected skipped).
tekton_run() {
	local ns=$1 pipeline=$2 revision=$3 decision=$4 skipped=$5 run status start=$SECONDS
	run=$(awk -v repo="$git_url" -v rev="$(revision_of "$revision")" -v base="$(base_of "$revision")" '
		{ print }
		/^spec:$/ && !done {
			print "  params:"
			print "    - name: repo"
			print "      value: \"" repo "\""
			print "    - name: revision"
			print "      value: \"" rev "\""
			if (base != "") {
				print "    - name: base"
				print "      value: \"" base "\""
			}
			done = 1
		}' "$out/runs/$pipeline.yaml" | kubectl -n "$ns" create -o jsonpath='{.metadata.name}' -f -)
	log "tekton: pipelinerun $run"
	status=$(await_run tekton "$ns" pipelinerun "$run" '{.status.conditions[0].status}' "$decision" "$start" True False)
	tekton_report "$ns" "$pipeline" "$run" "$status" "$skipped,on-failure"
}

# tekton_decide NAMESPACE RUN DECISION: record DECISION on the pod of each
# approval task waiting (docs/tekton.md).
tekton_decide() {
	local ns=$1 run=$2 decision=$3 pod
	for pod in $(kubectl -n "$ns" get pods -l "tekton.dev/pipelineRun=$run" -o json |
		jq -r '.items[] | select((.metadata.labels["tekton.dev/pipelineTask"] // "" | endswith("-approval")) and .status.phase == "Running" and (.metadata.annotations["mlc.dev/decision"] // "") == "") | .metadata.name'); do
		log "tekton: $decision $pod"
		kubectl -n "$ns" annotate pod "$pod" "mlc.dev/decision=$decision" >/dev/null
	done
}

# tekton_report NAMESPACE PIPELINE RUN STATUS SKIPPED: one row per task.
tekton_report() {
	local ns=$1 pipeline=$2 run=$3 status=$4 skipped=$5 task state secs reason bad=0 runs pr
	# Files, not arguments: a run's status embeds its whole pipeline, more
	# than one argument may hold.
	pr=$E2E_DIR/logs/pipelinerun.json runs=$E2E_DIR/logs/taskruns.json
	kubectl -n "$ns" get pipelinerun "$run" -o json >"$pr"
	kubectl -n "$ns" get taskruns -l "tekton.dev/pipelineRun=$run" -o json >"$runs"
	for task in $(kubectl -n "$ns" get pipeline "$pipeline" -o json | jq -r '(.spec.tasks + (.spec.finally // []))[].name'); do
		read -r state secs reason < <(jq -r --arg t "$task" --slurpfile prs "$pr" '
			$prs[0] as $pr |
			([.items[] | select(.metadata.labels["tekton.dev/pipelineTask"] == $t)] | first) as $tr |
			([$pr.status.skippedTasks // [] | .[] | select(.name == $t)] | first) as $skip |
			if $tr then
				[(if $tr.status.conditions[0].status == "True" then "ok" else ($tr.status.conditions[0].reason // "Running") end),
				 (if $tr.status.completionTime then (($tr.status.completionTime | fromdate) - ($tr.status.startTime | fromdate)) else 0 end),
				 (($tr.status.conditions[0].message // "-") | gsub("[\t\n ]+"; " "))]
			elif $skip then ["skipped", 0, $skip.reason]
			else ["NotRun", 0, "-"] end | @tsv' "$runs" | tr '\t' ' ')
		task_row "$pipeline" "$run" "$task" "$state" "$secs" "$reason" "$skipped" || bad=1
	done
	[[ $status == True ]] || bad=1
	reason=$(jq -r '(.status.conditions[0].message // "-") | gsub("[\t\n ]+"; " ")' "$pr")
	row "$pipeline" "$run" "(run)" "$(verdict "$bad")" "$(jq -r 'if .status.completionTime then (.status.completionTime | fromdate) - (.status.startTime | fromdate) else 0 end' "$pr")" "$reason"
	return "$bad"
}

# tekton_triggered NAMESPACE PIPELINE SINCE: the PipelineRun of PIPELINE a
# trigger step created at or after SINCE (UTC, RFC 3339) is reported, then
# deleted (it is checked to exist, not run: see plans.sh).
tekton_triggered() {
	local ns=$1 pipeline=$2 since=$3 found
	found=$(kubectl -n "$ns" get pipelineruns -l mlc.dev/event=trigger -o json | jq -r --arg p "$pipeline" --arg s "$since" '
		[.items[] | select(.spec.pipelineRef.name == $p and .metadata.creationTimestamp >= $s)] | first // empty | .metadata.name')
	if [[ -z $found ]]; then
		row "$pipeline" - "(triggered run)" missing 0 "no run of $pipeline was started"
		return 1
	fi
	row "$pipeline" "$found" "(triggered run)" ok 0 "started by the trigger step"
	kubectl -n "$ns" delete pipelinerun "$found" --wait=false >/dev/null
}
