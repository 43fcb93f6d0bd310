# shellcheck shell=bash
# The runs the e2e starts for a spec directory; sourced by run.sh.
#
# plan SPEC_DIR prints one run a line: WORKFLOW REVISION DECISION SKIPPED
#   WORKFLOW  the compiled workflow, after the pipeline name (ci, delivery, monitor)
#   REVISION  main, or pr: the commit of refs/pull/1/head, which no branch reaches
#   DECISION  approve or reject for every approval the run waits for, - for none
#   SKIPPED   comma-separated jobs that must be skipped, - for none; every other
#             job must succeed (the on-failure handler must not run)
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
		;;
	*) echo "delivery main - -" ;;
	esac
}

s3_seeds() {
	case $(basename "$1") in
	credit-risk)
		echo "acme-raw/credit/2026 fixtures/credit"
		echo "acme-live/credit fixtures/monitor.drift.current"
		;;
	esac
}
