// Package ir is the target-neutral intermediate representation of a compiled
// pipeline: workflows made of jobs, each job a list of steps, linked by
// dependencies and by the artifacts (datasets, code, models, images) that flow
// between them. The compiler builds it from pipeline.cue; every target
// (GitHub Actions, Tekton, Argo) renders it and nothing else.
//
// Values in the IR are plain data. Targets must pass every user-supplied
// string (scripts, paths, names) to the shell through environment variables
// or argv, never by splicing it into a script or an engine expression.
package ir

import "time"

// Pipeline is the whole compiled spec.
type Pipeline struct {
	Name       string // pipeline name from the spec, a DNS-1123 label
	Source     string // spec files the pipeline came from, relative to the repository root, for headers
	SpecDir    string // directory of pipeline.cue relative to the repository root ("." at the root)
	MLCVersion string // version of mlc that compiled this; jobs install the same one
	MLCImage   string // container image of mlc for container engines (Tekton, Argo)
	// MLCInstall is how GitHub jobs get MLCVersion: from a release,
	// verified, or built from source.
	MLCInstall Install
	Helpers    HelperImages
	Registry   string // OCI registry (or oci: layout) artifacts are pushed to
	Repository string // git URL Kubernetes engines clone the source from ("" when not given)
	Runners    Runners
	Workflows  []*Workflow // sorted by Name
	// Checked names the engines whose Engine.Check the compiler ran on
	// this pipeline, finding nothing; their Render does not run it again.
	Checked []string
}

// HelperImages override the images container engines add next to mlc's
// ("" keeps the target's default, pinned by digest).
type HelperImages struct {
	Git          string // git client with a shell
	Kubectl      string // kubectl alone
	KubectlShell string // kubectl with a shell
	BuildKit     string // rootless BuildKit
}

// Runners names the machines jobs run on (GitHub runner labels; Kubernetes
// node selectors come from Resources).
type Runners struct {
	Default []string // labels for ordinary jobs, e.g. ["ubuntu-24.04"]
	GPU     []string // labels for jobs that need a GPU, e.g. ["self-hosted", "gpu"]
}

// Workflow is one independently triggered graph of jobs: the delivery
// workflow (data → train → deploy) and the monitoring workflow.
type Workflow struct {
	Name        string // file/object name, e.g. "credit-risk-delivery"
	Description string
	// Kind is what the workflow does (WorkflowDelivery, ...): a split
	// spec has a delivery, ci and batch workflow per group of models
	// ("credit-risk-delivery-scorer"), each of the kind its name starts with.
	Kind     string
	Triggers Triggers
	Jobs     []*Job // topologically sorted; ties broken by ID
	// Concurrency serialises runs of this workflow: a new run waits for (or
	// cancels, if CancelInProgress) the one in progress.
	Concurrency      string
	CancelInProgress bool
	// OnFailure lists steps to run when any job fails (alerting), as one
	// job with the grants OnFailurePermissions (e.g. issues: write for an
	// alert issue), sorted by Scope.
	OnFailure            []Step
	OnFailurePermissions []Permission
}

// Workflow kinds.
const (
	WorkflowDelivery = "delivery" // push, schedule, manual: train, evaluate, package, deploy
	WorkflowCI       = "ci"       // pull requests: data tests and code CI, nothing published
	WorkflowMonitor  = "monitor"  // drift monitoring and retraining
	WorkflowBatch    = "batch"    // schedule, manual: offline prediction
)

// Triggers say when a workflow starts.
type Triggers struct {
	Push        *BranchFilter
	PullRequest *BranchFilter
	Schedules   []Schedule // sorted by Name
	Manual      bool       // start by hand (workflow_dispatch, a manual PipelineRun/Workflow)
}

// BranchFilter limits a push or pull-request trigger to branches (empty: all).
type BranchFilter struct {
	Branches []string
	// Tags also start a push trigger when a matching tag is pushed (a
	// release: its artifacts are tagged with the version).
	Tags []string
	// Paths, for a push: the workflow starts only when the change touches
	// one of these files or directories (relative to the repository root),
	// the paths of the stages it can run.
	Paths []string
}

// Schedule is a named cron trigger.
type Schedule struct {
	Name string // e.g. "retrain", "monitor"
	Cron string // five-field cron, UTC
}

// Stage classifies a job by its place in the delivery process. Targets use it
// for naming and grouping only; behaviour comes from the job's fields.
type Stage string

const (
	StageAcquire  Stage = "acquire"  // fetch raw data through an adapter
	StageValidate Stage = "validate" // data schema validation
	StagePrepare  Stage = "prepare"  // data preparation
	StageDataTest Stage = "datatest" // bias, fairness, PII and compliance tests
	StageVersion  Stage = "version"  // dataset versioning (push as OCI artifact)
	StageCodeCI   Stage = "code"     // lint, unit tests, versioned code artifact
	StageTrain    Stage = "train"
	StageEvaluate Stage = "evaluate" // metric and fairness gates, no regression
	StageRegister Stage = "register" // model versioning (push, sign, lineage)
	StagePackage  Stage = "package"  // application image with the model inside
	StageDeploy   Stage = "deploy"
	StageSmoke    Stage = "smoke"
	StageMonitor  Stage = "monitor" // drift checks
	StageRetrain  Stage = "retrain" // start the delivery workflow again
	StageBatch    Stage = "batch"   // offline prediction with the production model
	StageCustom   Stage = "custom"  // user escape hatch
)

// Job is one node of the graph: a unit that runs on one machine or pod.
type Job struct {
	ID          string // unique within the workflow, DNS-1123 label, e.g. "dataset-credit"
	Name        string // human-readable
	Stage       Stage
	Needs       []string // IDs of jobs that must succeed first, sorted
	Image       string   // container image user steps run in ("" for mlc-only jobs)
	Steps       []Step
	Inputs      []Input  // artifact digests consumed from jobs in Needs
	Outputs     []Output // artifact digests this job produces, sorted by Name
	Resources   Resources
	Retries     int
	Timeout     time.Duration // 0: engine default
	Condition   Condition
	Approval    *Approval // non-nil: a person must approve before the job runs
	Environment string    // deployment environment name ("" for none)
	Env         []EnvVar  // literal values, sorted by Name
	Secrets     []string  // every secret name a step of the job uses, sorted (union of Step.Secrets)
	Permissions []Permission
	// Workspace is true when the job reads or writes the shared source
	// checkout (user code); targets check out the repository for it.
	Workspace bool
	// History: the checkout holds the commit's whole history and the
	// repository's tags, which mlc version and mlc affected read;
	// MLC_BRANCH names the branch the run builds where the engine knows it
	// (a Kubernetes run's revision parameter; GitHub's own variables say
	// it there), and MLC_BASE the commit a pushed change went on (GitHub's
	// event.before; a Kubernetes run's base parameter), empty when none.
	History bool
}

// StepKind says what a step runs.
type StepKind string

const (
	// StepMLC runs the mlc binary with Args (argv, no shell).
	StepMLC StepKind = "mlc"
	// StepScript runs a user shell script (Script) with sh -e in the job's Image.
	StepScript StepKind = "script"
	// StepBuildImage builds the container image in Build and pushes it; its
	// output "ref" is the pushed image by digest. Targets use their engine's
	// builder (docker buildx on GitHub, a daemonless builder on Kubernetes).
	StepBuildImage StepKind = "build-image"
	// StepTrigger starts other workflows of the pipeline (Triggers names
	// them), e.g. retraining after drift.
	StepTrigger StepKind = "trigger"
)

// Step is one command inside a job.
type Step struct {
	ID     string // unique within the job, e.g. "push"; outputs are read from it
	Name   string
	Kind   StepKind
	Args   []string // StepMLC: arguments after "mlc"; may reference env vars as $NAME
	Script string   // StepScript: the user's script, passed to the shell verbatim
	Dir    string   // working directory relative to the workspace ("" for its root)
	Env    []EnvVar // extra step env, sorted by Name
	// Secrets this step needs, by name, exposed as env vars of the same
	// name; a subset of the job's Secrets. Other steps never see them.
	Secrets []string
	// GPU: the step needs the job's GPUs inside its container.
	GPU bool
	// Build is set for StepBuildImage.
	Build *ImageBuild
	// Triggers are the workflows StepTrigger starts, one run each, in
	// this order: one step however many a monitor retrains.
	Triggers []string
}

// TokenSecret is the secret a step lists to call the repository's API
// (GitHub issues) with the run's own token: on GitHub it is the job's
// automatic token, bounded by the job's Permissions; Kubernetes engines
// read it from the pipeline's Secret, local runs from the host.
const TokenSecret = "GITHUB_TOKEN"

// ImageBuild describes a container image build.
type ImageBuild struct {
	Context    string            // build context directory, relative to the workspace
	Dockerfile string            // relative to the workspace
	Ref        string            // image reference to push, may contain ${ENV} references
	Args       []EnvVar          // build args, sorted by Name
	Labels     map[string]string // OCI labels
}

// Install says where jobs get mlc from: the release under URL, whose
// checksums file must verify with PublicKey (PEM) before the archive is
// checked against it; or, with FromSource, go install.
type Install struct {
	FromSource bool
	URL        string
	PublicKey  string
}

// EnvVar is a literal environment variable, a reference to an input
// (FromInput names an Input of the job), or the output Output of an earlier
// step of the same job (FromStep); Value is then empty. A step output is how
// a step acts on exactly what an earlier one produced (the digest a build
// pushed), never on a tag that could move in between.
type EnvVar struct {
	Name      string
	Value     string
	FromInput string
	FromStep  string
	Output    string
}

// Input is an artifact digest taken from an output of a job this one needs.
// Targets expose it to steps as the env var Env.
type Input struct {
	Name   string // local name, e.g. "dataset-credit"
	Job    string // producing job ID
	Output string // that job's Output.Name
	Env    string // env var the value is exposed as, e.g. "MLC_DATASET_CREDIT"
}

// ArtifactKind is the kind of OCI artifact an output names.
type ArtifactKind string

const (
	ArtifactDataset ArtifactKind = "dataset"
	ArtifactCode    ArtifactKind = "code"
	ArtifactModel   ArtifactKind = "model"
	ArtifactImage   ArtifactKind = "image"
	ArtifactValue   ArtifactKind = "value" // a plain value such as an approval decision or a drift verdict
)

// Output is a value a job publishes, usually an artifact reference by
// digest ("registry/name@sha256:..."), on one line. The step FromStep
// writes it as "NAME=value" to the file named by $MLC_OUTPUT
// (internal/stepoutput; mlc does this itself for its push commands);
// targets map that file to job outputs, task results or output parameters.
type Output struct {
	Name     string
	Kind     ArtifactKind
	FromStep string
}

// Resources a job asks for. Zero values mean "engine default".
type Resources struct {
	CPU    string // Kubernetes quantity, e.g. "8"
	Memory string // Kubernetes quantity, e.g. "32Gi"
	GPU    int
	// GPUType is a node label value for the accelerator, e.g. "nvidia-a100".
	GPUType string
}

// Condition restricts when a job runs. The zero value means always (once its
// needs succeeded). Pull requests run their own workflow (<name>-ci) that
// publishes nothing, so no job needs an event condition.
type Condition struct {
	// OnlyBranches: run only for pushes to these branches (empty: any).
	// The compiler never sets it; it stays while runner/job.go reads it.
	OnlyBranches []string
	// WhenOutput: run only when the given output of a needed job equals Equals
	// (e.g. retrain only when drift was detected).
	WhenOutput *OutputEquals
	// DespiteSkipped: run also when jobs it needs were skipped by their
	// conditions (a change that did not reach them), though never when
	// one failed; otherwise a skipped need skips the job too.
	DespiteSkipped bool
}

// OutputEquals compares a needed job's output to a value.
type OutputEquals struct {
	Job    string
	Output string
	Equals string
}

// Approval gates a job on a manual decision.
type Approval struct {
	Environment string   // environment whose protection rules approve (GitHub)
	Approvers   []string // users or groups allowed to approve (Tekton, Argo docs)
	Required    int      // number of approvals needed (at least 1)
	Timeout     time.Duration
}

// Permission is a least-privilege grant a job needs beyond read access to
// the repository contents, e.g. {"packages", "write"}.
type Permission struct {
	Scope  string
	Access string // "read" or "write"
}
