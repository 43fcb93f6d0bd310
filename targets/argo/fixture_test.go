package argo

import (
	"time"

	"github.com/mlc-project/mlc/ir"
)

// fixture is a pipeline that uses every IR feature the Argo target renders,
// including the awkward strings (quotes, $, newlines) a spec may hold.
func fixture() *ir.Pipeline {
	return &ir.Pipeline{
		Name:       "fixture",
		Source:     "pipeline.cue",
		MLCVersion: "v0.1.0",
		MLCImage:   "ghcr.io/mlc-project/mlc:v0.1.0@sha256:1111111111111111111111111111111111111111111111111111111111111111",
		Registry:   "ghcr.io/acme/ml",
		Runners:    ir.Runners{Default: []string{"ubuntu-24.04"}, GPU: []string{"self-hosted", "gpu"}},
		Workflows:  []*ir.Workflow{delivery(), monitor(), rerun()},
	}
}

func delivery() *ir.Workflow {
	return &ir.Workflow{
		Name:        "fixture-delivery",
		Description: "Data → model → production",
		Triggers: ir.Triggers{
			Push:        &ir.BranchFilter{Branches: []string{"main", "release"}},
			PullRequest: &ir.BranchFilter{},
			Schedules:   []ir.Schedule{{Name: "retrain", Cron: "0 3 * * 1"}},
			Manual:      true,
		},
		Concurrency:      "fixture-delivery",
		CancelInProgress: true,
		OnFailure: []ir.Step{{
			ID: "alert", Name: "Alert", Kind: ir.StepScript,
			Script:  `curl -fsS -d "{\"text\": \"run failed: $MLC_REVISION\"}" "$ALERT_URL"`,
			Env:     []ir.EnvVar{{Name: "ALERT_URL", Value: "https://hooks.example.com/x?a=1&b='2'"}},
			Secrets: []string{"ALERT_TOKEN"},
		}},
		Jobs: []*ir.Job{
			{
				ID: "dataset-credit", Name: "Dataset credit", Stage: ir.StageVersion,
				Steps: []ir.Step{
					{ID: "fetch", Kind: ir.StepMLC, Args: []string{"fetch", "credit", "--spec", ".", "--out", "data"}, Secrets: []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}},
					{ID: "push", Kind: ir.StepMLC, Args: []string{"push", "dataset", "data", "${MLC_REGISTRY}/datasets/credit:${MLC_REVISION}"}},
				},
				Outputs:   []ir.Output{{Name: "ref", Kind: ir.ArtifactDataset, FromStep: "push"}},
				Env:       []ir.EnvVar{{Name: "MLC_REGISTRY", Value: "ghcr.io/acme/ml"}},
				Secrets:   []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"},
				Retries:   2,
				Timeout:   10*time.Minute + 500*time.Millisecond,
				Workspace: true,
			},
			{
				ID: "train", Name: "Train", Stage: ir.StageTrain,
				Needs: []string{"dataset-credit"},
				Image: "python:3.12-slim@sha256:2222222222222222222222222222222222222222222222222222222222222222",
				Steps: []ir.Step{
					{ID: "pull", Kind: ir.StepMLC, Args: []string{"pull", "${MLC_DATASET_CREDIT}", "data"}},
					{
						ID: "fit", Kind: ir.StepScript, Dir: "models/credit risk", GPU: true,
						Script: "echo \"lr=$LR\" 'it''s' $(date) $$ `id`\npython train.py --epochs \"$EPOCHS\" --data \"$DATA\"\n",
						Env: []ir.EnvVar{
							{Name: "DATA", FromInput: "dataset-credit"},
							{Name: "LR", Value: "0.1 $(not expanded) 'q'"},
						},
					},
					{ID: "report", Kind: ir.StepScript, Script: "python report.py || exit 3"},
					{ID: "push", Kind: ir.StepMLC, Args: []string{"push", "model", "models/credit risk/out", "${MLC_REGISTRY}/models/credit:${MLC_REVISION}", "--param", "note=it's $HOME"}},
				},
				Inputs:    []ir.Input{{Name: "dataset-credit", Job: "dataset-credit", Output: "ref", Env: "MLC_DATASET_CREDIT"}},
				Outputs:   []ir.Output{{Name: "ref", Kind: ir.ArtifactModel, FromStep: "push"}},
				Resources: ir.Resources{CPU: "8", Memory: "32Gi", GPU: 2, GPUType: "nvidia-a100"},
				Env: []ir.EnvVar{
					{Name: "EPOCHS", Value: "10"},
					{Name: "MLC_REGISTRY", Value: "ghcr.io/acme/ml"},
				},
				Workspace: true,
			},
			{
				ID: "package", Name: "Package", Stage: ir.StagePackage,
				Needs: []string{"train"},
				Steps: []ir.Step{
					{ID: "pull", Kind: ir.StepMLC, Args: []string{"pull", "${MLC_MODEL}", "serve/model"}},
					{ID: "build", Kind: ir.StepBuildImage, Build: &ir.ImageBuild{
						Context: "serve", Dockerfile: "serve/Dockerfile", Ref: "ghcr.io/acme/credit-api:${MLC_REVISION}",
						Args:   []ir.EnvVar{{Name: "MODEL", FromInput: "model"}, {Name: "PORT", Value: "8080"}},
						Labels: map[string]string{"org.opencontainers.image.source": "https://github.com/acme/ml", "dev.mlc.note": "it's"},
					}, Secrets: []string{"REGISTRY_TOKEN"}},
					{ID: "sign", Kind: ir.StepMLC, Args: []string{"sign", "${MLC_BUILT_IMAGE}", "--key", "env://COSIGN_PRIVATE_KEY"},
						Env: []ir.EnvVar{{Name: "MLC_BUILT_IMAGE", FromStep: "build", Output: "ref"}}},
				},
				Inputs:    []ir.Input{{Name: "model", Job: "train", Output: "ref", Env: "MLC_MODEL"}},
				Outputs:   []ir.Output{{Name: "ref", Kind: ir.ArtifactImage, FromStep: "build"}},
				Env:       []ir.EnvVar{{Name: "MODEL_REF", FromInput: "model"}},
				Secrets:   []string{"REGISTRY_TOKEN"},
				Workspace: true,
			},
			{
				ID: "deploy", Name: "Deploy", Stage: ir.StageDeploy,
				Needs:     []string{"package"},
				Steps:     []ir.Step{{ID: "promote", Kind: ir.StepMLC, Args: []string{"promote", "${MLC_IMAGE}", "--to", "production"}}},
				Inputs:    []ir.Input{{Name: "image", Job: "package", Output: "ref", Env: "MLC_IMAGE"}},
				Condition: ir.Condition{OnlyBranches: []string{"main"}},
				Approval: &ir.Approval{
					Environment: "production", Approvers: []string{"alice", "ml-leads"}, Required: 1, Timeout: 24 * time.Hour,
				},
				Environment: "production",
				Permissions: []ir.Permission{{Scope: "deployments", Access: "write"}},
			},
		},
	}
}

func monitor() *ir.Workflow {
	return &ir.Workflow{
		Name:     "fixture-monitor",
		Triggers: ir.Triggers{Schedules: []ir.Schedule{{Name: "hourly", Cron: "0 * * * *"}}, Manual: true},
		Jobs: []*ir.Job{
			{
				ID: "drift", Stage: ir.StageMonitor,
				Steps: []ir.Step{{
					ID: "check", Kind: ir.StepMLC,
					Args: []string{"check", "drift", "--reference", "s3://acme/ref", "--current", "s3://acme/current", "--threshold", "0.2"},
				}},
				Outputs: []ir.Output{{Name: "drift", Kind: ir.ArtifactValue, FromStep: "check"}},
			},
			{
				ID: "retrain", Stage: ir.StageRetrain,
				Needs: []string{"drift"},
				Steps: []ir.Step{
					{ID: "notify", Kind: ir.StepMLC, Dir: "ml", Args: []string{"notify", "--webhook-env", "SLACK_WEBHOOK", "--message", "drift: retraining"}, Secrets: []string{"SLACK_WEBHOOK"}},
					{ID: "start", Kind: ir.StepTrigger, Triggers: []string{"fixture-delivery", "fixture-rerun"}},
					{ID: "record", Kind: ir.StepScript, Script: "echo started=yes >> \"$MLC_OUTPUT\""},
				},
				Outputs:   []ir.Output{{Name: "started", Kind: ir.ArtifactValue, FromStep: "record"}},
				Secrets:   []string{"SLACK_WEBHOOK"},
				Retries:   1,
				Condition: ir.Condition{WhenOutput: &ir.OutputEquals{Job: "drift", Output: "drift", Equals: "true"}},
			},
		},
	}
}

// rerun is a second workflow the monitor starts: one trigger step
// starting two.
func rerun() *ir.Workflow {
	return &ir.Workflow{
		Name:     "fixture-rerun",
		Triggers: ir.Triggers{Manual: true},
		Jobs:     []*ir.Job{{ID: "backfill", Stage: ir.StageCustom, Image: "alpine:3.20", Steps: []ir.Step{{ID: "run", Kind: ir.StepScript, Script: "echo backfilled"}}}},
	}
}
