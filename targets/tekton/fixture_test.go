package tekton

import (
	"time"

	"github.com/mlc-project/mlc/ir"
)

// fixture is a pipeline that uses every IR feature at least once, so its
// golden files show how each one is rendered.
func fixture() *ir.Pipeline {
	return &ir.Pipeline{
		Name:       "fraud",
		Source:     "pipeline.cue",
		MLCVersion: "v0.1.0",
		MLCImage:   "ghcr.io/mlc-project/mlc:v0.1.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
		Registry:   "ghcr.io/acme/ml",
		Repository: "https://github.com/acme/fraud.git",
		Runners:    ir.Runners{Default: []string{"ubuntu-24.04"}, GPU: []string{"self-hosted", "gpu"}},
		Workflows:  []*ir.Workflow{deliveryFixture(), monitorFixture(), rerunFixture()},
	}
}

func deliveryFixture() *ir.Workflow {
	registry := ir.EnvVar{Name: "MLC_REGISTRY", Value: "ghcr.io/acme/ml"}
	return &ir.Workflow{
		Name:        "fraud-delivery",
		Description: "Data to production for the fraud model.",
		Triggers: ir.Triggers{
			Push:        &ir.BranchFilter{Branches: []string{"main", "release"}},
			PullRequest: &ir.BranchFilter{},
			Schedules:   []ir.Schedule{{Name: "retrain", Cron: "0 3 * * 1"}},
			Manual:      true,
		},
		Concurrency: "fraud-delivery",
		OnFailure: []ir.Step{{
			ID: "alert", Name: "Alert", Kind: ir.StepMLC,
			Args:    []string{"notify", "--webhook-env", "SLACK_WEBHOOK", "--message", "fraud delivery failed"},
			Secrets: []string{"SLACK_WEBHOOK"},
		}},
		Jobs: []*ir.Job{
			{
				ID: "code-trainer", Name: "Code CI: trainer", Stage: ir.StageCodeCI,
				Image: "python:3.12-slim", Workspace: true,
				Env:         []ir.EnvVar{registry},
				Secrets:     []string{"COSIGN_PRIVATE_KEY"},
				Permissions: []ir.Permission{{Scope: "packages", Access: "write"}},
				Outputs:     []ir.Output{{Name: "ref", Kind: ir.ArtifactCode, FromStep: "push"}},
				Steps: []ir.Step{
					{ID: "lint", Name: "Lint", Kind: ir.StepScript, Dir: "train", Script: "echo \"it's $$ and ${HOME}\"\npython -m py_compile *.py\n"},
					{ID: "push", Name: "Push code", Kind: ir.StepMLC, Args: []string{"push", "code", "train", "${MLC_REGISTRY}/fraud-code:${MLC_REVISION}"}, Secrets: []string{"COSIGN_PRIVATE_KEY"}},
				},
			},
			{
				ID: "dataset-tx", Name: "Dataset tx", Stage: ir.StageVersion,
				Workspace: true, Retries: 2, Timeout: 30 * time.Minute,
				Env:     []ir.EnvVar{registry},
				Secrets: []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
				Outputs: []ir.Output{{Name: "ref", Kind: ir.ArtifactDataset, FromStep: "push"}},
				Steps: []ir.Step{
					{ID: "fetch", Name: "Fetch", Kind: ir.StepMLC, Args: []string{"fetch", "tx", "--spec", ".", "--out", ".mlc/raw/tx"}, Secrets: []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}},
					{ID: "pii", Name: "PII", Kind: ir.StepMLC, Args: []string{"check", "pii", ".mlc/raw/tx", "--forbid", "email,ssn"}},
					{ID: "push", Name: "Push", Kind: ir.StepMLC, Args: []string{"push", "dataset", ".mlc/raw/tx", "${MLC_REGISTRY}/fraud-tx:${MLC_REVISION}"}},
				},
			},
			{
				ID: "train-scorer", Name: "Train scorer", Stage: ir.StageTrain,
				Needs: []string{"code-trainer", "dataset-tx"}, Image: "python:3.12-slim", Workspace: true,
				Retries: 1, Timeout: 12 * time.Hour,
				Resources: ir.Resources{CPU: "8", Memory: "32Gi", GPU: 2, GPUType: "nvidia-a100"},
				Env:       []ir.EnvVar{registry, {Name: "SEED", Value: "42"}},
				Inputs: []ir.Input{
					{Name: "code-trainer-ref", Job: "code-trainer", Output: "ref", Env: "MLC_CODE"},
					{Name: "dataset-tx-ref", Job: "dataset-tx", Output: "ref", Env: "MLC_DATASET_TX"},
				},
				Outputs: []ir.Output{
					{Name: "ref", Kind: ir.ArtifactModel, FromStep: "push"},
					{Name: "trained", Kind: ir.ArtifactValue, FromStep: "fit"},
				},
				Steps: []ir.Step{
					{ID: "pull", Name: "Pull", Kind: ir.StepMLC, Args: []string{"pull", "${MLC_DATASET_TX}", ".mlc/data/tx"}},
					{ID: "fit", Name: "Fit", Kind: ir.StepScript, Dir: "train", GPU: true, Script: "python train.py --data ../.mlc/data/tx\necho trained=yes >> \"$MLC_OUTPUT\"\n",
						Env: []ir.EnvVar{{Name: "DATASET", FromInput: "dataset-tx-ref"}, {Name: "EPOCHS", Value: "10"}}},
					{ID: "report", Name: "Report", Kind: ir.StepScript, Script: "python report.py"},
					{ID: "push", Name: "Push model", Kind: ir.StepMLC, Args: []string{"push", "model", ".mlc/model", "${MLC_REGISTRY}/fraud-model:candidate-${MLC_REVISION}", "--param", "note=it's fine"}},
				},
			},
			{
				ID: "package-api", Name: "Package api", Stage: ir.StagePackage,
				Needs: []string{"train-scorer"}, Workspace: true,
				Condition: ir.Condition{WhenOutput: &ir.OutputEquals{Job: "train-scorer", Output: "trained", Equals: "yes"}},
				Env:       []ir.EnvVar{registry},
				Inputs:    []ir.Input{{Name: "train-scorer-ref", Job: "train-scorer", Output: "ref", Env: "MLC_MODEL"}},
				Outputs:   []ir.Output{{Name: "ref", Kind: ir.ArtifactImage, FromStep: "build"}},
				Steps: []ir.Step{{
					ID: "build", Name: "Build image", Kind: ir.StepBuildImage,
					Build: &ir.ImageBuild{
						Context: "service", Dockerfile: "service/Dockerfile",
						Ref:    "${MLC_REGISTRY}/fraud-api:${MLC_REVISION}",
						Args:   []ir.EnvVar{{Name: "MODEL", FromInput: "train-scorer-ref"}, {Name: "PORT", Value: "8080"}},
						Labels: map[string]string{"dev.mlc.pipeline": "fraud", "dev.mlc.app": "api"},
					},
				}, {
					ID: "sign", Name: "Sign", Kind: ir.StepMLC, Args: []string{"sign", "${MLC_BUILT_IMAGE}", "--key", "env://COSIGN_PRIVATE_KEY"},
					Env: []ir.EnvVar{{Name: "MLC_BUILT_IMAGE", FromStep: "build", Output: "ref"}},
				}},
			},
			{
				ID: "deploy-production", Name: "Deploy production", Stage: ir.StageDeploy,
				Needs: []string{"package-api"}, Image: "bitnami/kubectl:1.31", Environment: "production",
				Condition: ir.Condition{OnlyBranches: []string{"main"}},
				Approval:  &ir.Approval{Environment: "production", Approvers: []string{"alice", "group:ml-leads"}, Required: 1, Timeout: 24 * time.Hour},
				Secrets:   []string{"KUBECONFIG_PRODUCTION"},
				Inputs:    []ir.Input{{Name: "package-api-ref", Job: "package-api", Output: "ref", Env: "MLC_APP_IMAGE"}},
				Steps: []ir.Step{
					{ID: "promote", Name: "Promote", Kind: ir.StepMLC, Args: []string{"promote", "${MLC_APP_IMAGE}", "--to", "production"}},
					{ID: "deploy", Name: "Deploy", Kind: ir.StepScript, Script: `kubectl set image deployment/api api="$MLC_APP_IMAGE"`, Secrets: []string{"KUBECONFIG_PRODUCTION"}},
				},
			},
			{
				ID: "smoke-production", Name: "Smoke production", Stage: ir.StageSmoke,
				Needs: []string{"deploy-production"}, Image: "curlimages/curl:8.11.1",
				Approval: &ir.Approval{Environment: "production"},
				Steps:    []ir.Step{{ID: "smoke", Name: "Smoke", Kind: ir.StepScript, Script: `curl -fsS "$MLC_URL/healthz"`, Env: []ir.EnvVar{{Name: "MLC_URL", Value: "https://api.example.com"}}}},
			},
		},
	}
}

func monitorFixture() *ir.Workflow {
	return &ir.Workflow{
		Name:             "fraud-monitor",
		Triggers:         ir.Triggers{Schedules: []ir.Schedule{{Name: "hourly", Cron: "0 * * * *"}}},
		Concurrency:      "fraud-monitor",
		CancelInProgress: true,
		Jobs: []*ir.Job{
			{
				ID: "drift", Name: "Drift", Stage: ir.StageMonitor, Workspace: true,
				Outputs: []ir.Output{{Name: "drift", Kind: ir.ArtifactValue, FromStep: "drift"}},
				Steps: []ir.Step{{
					ID: "drift", Name: "Drift", Kind: ir.StepMLC,
					Args: []string{"check", "drift", "--reference", "ref.csv", "--current", "cur.csv"},
				}},
			},
			{
				ID: "retrain", Name: "Retrain", Stage: ir.StageRetrain, Needs: []string{"drift"},
				Condition: ir.Condition{WhenOutput: &ir.OutputEquals{Job: "drift", Output: "drift", Equals: "true"}},
				Steps:     []ir.Step{{ID: "trigger", Name: "Start delivery", Kind: ir.StepTrigger, Triggers: []string{"fraud-delivery", "fraud-rerun"}}},
			},
			{
				ID: "custom-report", Name: "Custom report", Stage: ir.StageCustom, Needs: []string{"retrain"},
				Image: "alpine:3.20",
				Steps: []ir.Step{{ID: "report", Name: "Report", Kind: ir.StepScript, Script: "echo done"}},
			},
		},
	}
}

// rerunFixture is a second workflow the monitor starts: one trigger
// step starting two.
func rerunFixture() *ir.Workflow {
	return &ir.Workflow{
		Name:     "fraud-rerun",
		Triggers: ir.Triggers{Manual: true},
		Jobs: []*ir.Job{{ID: "backfill", Name: "Backfill", Stage: ir.StageCustom, Image: "alpine:3.20",
			Steps: []ir.Step{{ID: "run", Name: "Run", Kind: ir.StepScript, Script: "echo backfilled"}}}},
	}
}
