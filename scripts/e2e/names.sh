# shellcheck shell=bash
# Versions and image names the e2e scripts share; sourced. The mlc and
# helper image names are also in each example's e2e.cue (mlc.image,
# mlc.helpers), which the compiled pipelines carry.
# shellcheck disable=SC2034 # used by the scripts that source this file

ARGO_VERSION=v3.7.0
TEKTON_VERSION=v1.6.0
VERSITYGW_VERSION=v1.8.0
MLC_E2E_VERSION=v0.1.0

MLC_IMAGE=mlc-e2e.local/mlc:e2e
GIT_IMAGE=mlc-e2e.local/git:e2e
KUBECTL_IMAGE=mlc-e2e.local/kubectl:e2e
ARGOEXEC_IMAGE=mlc-e2e.local/argoexec:$ARGO_VERSION
ARGO_CONTROLLER_IMAGE=mlc-e2e.local/workflow-controller:$ARGO_VERSION

tekton_image() { echo "mlc-e2e.local/tekton-$1:$TEKTON_VERSION"; }
