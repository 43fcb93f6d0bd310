# shellcheck shell=bash
# The runs the e2e starts for a spec directory; sourced by run.sh.
#
# plan SPEC_DIR prints one run a line: WORKFLOW REVISION DECISION SKIPPED [TRIGGERS]
#   WORKFLOW  the compiled workflow, after the pipeline name (ci, delivery, batch, monitor)
#   REVISION  main, or pr: the commit of refs/pull/1/head, which no branch reaches,
#             or next: the same commit as a branch; REV/BASE also sets the run's
#             base parameter, as a push of REV on top of BASE does: the
#             change-aware delivery runs only what the change reaches (from
#             main, next changes nothing)
#   DECISION  approve or reject for every approval the run waits for, - for none
#   SKIPPED   comma-separated jobs that must be skipped, - for none; every other
#             job must succeed (the on-failure handler must not run)
#   TRIGGERS  the workflow a trigger step of the run must have started (the
#             monitor's retraining); that run is checked to exist, then
#             deleted (the plan runs the delivery on its own)
# A refused approval's run must skip the jobs after it (SKIPPED): nothing
# deploys; an approved delivery must leave every app environment running
# one signed digest (run.sh's deployed).
# A spec directory without a plan gets one delivery run on main.
#
# s3_seeds SPEC_DIR prints BUCKET/PREFIX FIXTURE_DIR lines: the S3 server
# serves each fixture directory (relative to the spec) under that key prefix.

plan() {
	case $(basename "$1") in
	credit-risk)
		echo "ci pr - -"
		echo "delivery main approve -"
		echo "delivery main reject deploy-production,smoke-production"
		# Nothing changed: no data, training, packaging or deployment; the
		# model job still picks the model production runs.
		echo "delivery next/main - dataset-credit,code-trainer,train-scorer,evaluate-scorer,package-api,deploy-staging,smoke-staging,deploy-production-approval,deploy-production,smoke-production"
		echo "batch main - -"
		echo "monitor main - - delivery"
		;;
	# split: one delivery workflow per model.
	iris-duo)
		echo "delivery-bayes main - -"
		echo "delivery-centroid main - -"
		;;
	*) echo "delivery main - -" ;;
	esac
}

s3_seeds() {
	case $(basename "$1") in
	credit-risk)
		echo "acme-raw/credit/2026 fixtures/credit"
		echo "acme-live/credit fixtures/monitor.drift.current"
		echo "acme-live/applicants fixtures/applicants"
		echo "acme-live/outcomes fixtures/monitor.quality.data"
		;;
	esac
}

# registry_seeds SPEC_DIR prints REF FIXTURE_DIR lines: before the runs, the
# fixture directory, prepared by the spec's data/prep.py, is pushed as the
# dataset REF (what a production delivery leaves for the monitor to compare
# with).
registry_seeds() {
	case $(basename "$1") in
	credit-risk) echo "10.250.0.2:5000/e2e/credit-risk-dataset-credit:production fixtures/credit" ;;
	esac
}

# app_envs SPEC_DIR prints the environments whose app the e2e deploys for
# real (run.sh's app_env): namespace e2e-app-ENV with a Deployment and a
# Service "api", and a deployer account whose kubeconfig is the pipeline's
# secret KUBECONFIG_<ENV>. After the runs, every one of them must run the
# same signed image, by digest.
app_envs() {
	case $(basename "$1") in
	credit-risk) echo staging production ;;
	esac
}

# signed SPEC_DIR WORKFLOW prints the artifacts a passed run of WORKFLOW
# published, signed with the run's key: each must verify with the stock
# cosign CLI. REV stands for the commit the run built.
signed() {
	case $(basename "$1")/$2 in
	iris-duo/delivery-bayes)
		echo "10.250.0.2:5000/e2e/iris-duo-dataset-garden:REV"
		echo "10.250.0.2:5000/e2e/iris-duo-dataset-field:REV"
		echo "10.250.0.2:5000/e2e/iris-duo-model-bayes:REV"
		;;
	iris-duo/delivery-centroid)
		echo "10.250.0.2:5000/e2e/iris-duo-dataset-garden:REV"
		echo "10.250.0.2:5000/e2e/iris-duo-model-centroid:REV"
		;;
	minimal/delivery)
		echo "10.250.0.2:5000/e2e/minimal-dataset-iris:REV"
		echo "10.250.0.2:5000/e2e/minimal-model-classifier:REV"
		;;
	credit-risk/delivery)
		echo "10.250.0.2:5000/e2e/credit-risk-dataset-credit:REV"
		echo "10.250.0.2:5000/e2e/credit-risk-code-trainer:REV"
		echo "10.250.0.2:5000/e2e/credit-risk-model-scorer:REV"
		echo "10.250.0.2:5000/e2e/credit-risk-app-api:REV"
		;;
	credit-risk/batch)
		echo "10.250.0.2:5000/e2e/credit-risk-dataset-applicants:REV"
		echo "10.250.0.2:5000/e2e/credit-risk-predictions-api:REV"
		;;
	esac
}
