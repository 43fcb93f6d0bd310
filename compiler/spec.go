package compiler

import "github.com/mlc-project/mlc/spec"

// The Go form of a validated pipeline.cue, decoded from CUE after the schema
// (schema/pipeline.cue) filled in defaults. Field docs live in the schema.

// Spec is a loaded, schema-validated pipeline spec.
type Spec struct {
	Name         string                  `json:"name"`
	Registry     string                  `json:"registry"`
	Repository   string                  `json:"repository,omitempty"`
	MLC          *MLCPin                 `json:"mlc,omitempty"`
	Runners      *Runners                `json:"runners,omitempty"`
	Triggers     *Triggers               `json:"triggers,omitempty"`
	Split        string                  `json:"split"`
	Secrets      []string                `json:"secrets,omitempty"`
	Datasets     map[string]*Dataset     `json:"datasets,omitempty"`
	Code         map[string]*Code        `json:"code,omitempty"`
	Models       map[string]*Model       `json:"models,omitempty"`
	Apps         map[string]*App         `json:"apps,omitempty"`
	Environments map[string]*Environment `json:"environments,omitempty"`
	Monitor      *Monitor                `json:"monitor,omitempty"`
	Steps        map[string]*CustomStep  `json:"steps,omitempty"`
	Alert        *Alert                  `json:"alert,omitempty"`
	Signing      Signing                 `json:"signing"`
	Git          spec.Git                `json:"git"`

	src source // where it came from, for positions
	// finals maps a model to the last environment of the chain deploying
	// it, computed once (finalEnvironment).
	finals map[string]string
}

type MLCPin struct {
	Version string        `json:"version,omitempty"`
	Image   string        `json:"image,omitempty"`
	Install *Install      `json:"install,omitempty"`
	Helpers *HelperImages `json:"helpers,omitempty"`
}

// Install is how GitHub jobs get mlc (schema #mlc.install).
type Install struct {
	From      string `json:"from"`
	URL       string `json:"url"`
	PublicKey string `json:"public_key,omitempty"`

	key string // the PEM checkInstall read from PublicKey
}

// HelperImages mirrors ir.HelperImages.
type HelperImages struct {
	Git          string `json:"git,omitempty"`
	Kubectl      string `json:"kubectl,omitempty"`
	KubectlShell string `json:"kubectl_shell,omitempty"`
	BuildKit     string `json:"buildkit,omitempty"`
}

type Runners struct {
	Default []string `json:"default,omitempty"`
	GPU     []string `json:"gpu,omitempty"`
}

type Triggers struct {
	Push        *BranchFilter     `json:"push,omitempty"`
	PullRequest *PullRequest      `json:"pull_request,omitempty"`
	Schedule    map[string]string `json:"schedule,omitempty"`
	Manual      bool              `json:"manual"`
}

// PullRequest triggers the CI workflow; see schema/pipeline.cue.
type PullRequest struct {
	Branches []string `json:"branches,omitempty"`
	Fixtures string   `json:"fixtures,omitempty"`
	Secrets  bool     `json:"secrets"`
}

type BranchFilter struct {
	Branches []string `json:"branches,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// Source, Alert and Table are the leaf package spec's: the adapters,
// notify and the gates take them without importing the compiler.
type (
	Source = spec.Source
	Alert  = spec.Alert
	Table  = spec.Table
)

type Script struct {
	Image   string            `json:"image"`
	Run     string            `json:"run"`
	Dir     string            `json:"dir,omitempty"`
	Env     map[string]string `json:"env,omitempty"`
	Secrets []string          `json:"secrets,omitempty"`
}

type Resources struct {
	CPU     any    `json:"cpu,omitempty"` // number or quantity string
	Memory  string `json:"memory,omitempty"`
	GPU     int    `json:"gpu"`
	GPUType string `json:"gpu_type,omitempty"`
}

// Dataset omits the column schema: it is a CUE constraint, not data, and
// is read as a cue.Value by Spec.Dataset.
type Dataset struct {
	Table
	Source     Source           `json:"source"`
	Secrets    []string         `json:"secrets,omitempty"`
	Prepare    *Script          `json:"prepare,omitempty"`
	Fairness   *DatasetFairness `json:"fairness,omitempty"`
	Compliance *Compliance      `json:"compliance,omitempty"`
}

type DatasetFairness struct {
	Protected           []string `json:"protected"`
	Label               string   `json:"label"`
	Positive            any      `json:"positive"`
	MaxParityDifference *float64 `json:"max_parity_difference,omitempty"`
	MinDisparateImpact  float64  `json:"min_disparate_impact"`
}

type Compliance struct {
	Forbid []string `json:"forbid"`
}

type Code struct {
	Path    string `json:"path"`
	Image   string `json:"image"`
	Lint    string `json:"lint,omitempty"`
	Test    string `json:"test,omitempty"`
	Channel string `json:"channel"`
}

type Model struct {
	Train    Train    `json:"train"`
	Evaluate Evaluate `json:"evaluate"`
}

type Train struct {
	Script
	Code      string         `json:"code,omitempty"`
	Data      []string       `json:"data"`
	Resources *Resources     `json:"resources,omitempty"`
	Timeout   string         `json:"timeout"`
	Retries   int            `json:"retries"`
	Params    map[string]any `json:"params,omitempty"`
}

type Evaluate struct {
	MetricGates
	Image        string         `json:"image,omitempty"`
	Run          string         `json:"run"`
	FirstRelease bool           `json:"first_release"`
	Fairness     *ModelFairness `json:"fairness,omitempty"`
}

// MetricGates are what mlc check metrics applies: thresholds, and metrics
// that must not fall more than Tolerance below the model in production.
type MetricGates struct {
	Gates        map[string]string `json:"gates,omitempty"`
	NoRegression []string          `json:"no_regression,omitempty"`
	Tolerance    float64           `json:"tolerance"`
}

type ModelFairness struct {
	Protected  []string `json:"protected"`
	Metric     string   `json:"metric"`
	Max        float64  `json:"max"`
	Label      string   `json:"label"`
	Prediction string   `json:"prediction"`
}

type App struct {
	Model string `json:"model"`
	Image struct {
		Context    string            `json:"context"`
		Base       string            `json:"base"`
		Platforms  []string          `json:"platforms,omitempty"`
		WorkDir    string            `json:"workdir"`
		Entrypoint []string          `json:"entrypoint,omitempty"`
		Cmd        []string          `json:"cmd,omitempty"`
		Env        map[string]string `json:"env,omitempty"`
		User       string            `json:"user"`
		Ports      []int             `json:"ports,omitempty"`
		Dockerfile string            `json:"dockerfile,omitempty"`
	} `json:"image"`
	Prediction []string `json:"prediction"`
	Batch      *Batch   `json:"batch,omitempty"`
}

// Batch is offline prediction with the production model (#Batch).
type Batch struct {
	Data     string            `json:"data"`
	Schedule string            `json:"schedule,omitempty"`
	Image    string            `json:"image"`
	Run      string            `json:"run"`
	Dir      string            `json:"dir,omitempty"`
	Env      map[string]string `json:"env,omitempty"`
	Secrets  []string          `json:"secrets,omitempty"`
	// Predictions are checked before they are versioned.
	Predictions *Table `json:"predictions,omitempty"`
}

type Environment struct {
	App        string       `json:"app"`
	After      string       `json:"after,omitempty"`
	Approval   bool         `json:"approval"`
	Approvers  []string     `json:"approvers,omitempty"`
	Branches   []string     `json:"branches,omitempty"`
	Deploy     *Script      `json:"deploy,omitempty"`
	Smoke      string       `json:"smoke,omitempty"`
	SmokeImage string       `json:"smoke_image"`
	URL        string       `json:"url,omitempty"`
	GitOps     *spec.GitOps `json:"gitops,omitempty"`
}

type Monitor struct {
	Schedule  string   `json:"schedule"`
	Drift     *Drift   `json:"drift,omitempty"`
	OnDrift   string   `json:"on_drift"`
	Quality   *Quality `json:"quality,omitempty"`
	OnQuality string   `json:"on_quality"`
	Secrets   []string `json:"secrets,omitempty"`
}

// Quality is monitor.quality: the production model scored on labelled
// production data, its metrics gated.
type Quality struct {
	MetricGates
	Model   string `json:"model"`
	Data    Source `json:"data"`
	Prepare string `json:"prepare,omitempty"`
	Image   string `json:"image,omitempty"`
	Run     string `json:"run"`
}

type Drift struct {
	Reference  string                 `json:"reference"`
	Current    Source                 `json:"current"`
	Method     string                 `json:"method"`
	Threshold  *float64               `json:"threshold,omitempty"`
	DriftShare float64                `json:"drift_share"`
	Columns    map[string]ColumnDrift `json:"columns,omitempty"`
}

type ColumnDrift struct {
	Method    string   `json:"method,omitempty"`
	Threshold *float64 `json:"threshold,omitempty"`
}

type CustomStep struct {
	Script
	After     []string   `json:"after,omitempty"`
	Resources *Resources `json:"resources,omitempty"`
	Timeout   string     `json:"timeout,omitempty"`
}

type Signing struct {
	Keyless   bool   `json:"keyless"`
	KeySecret string `json:"key_secret"`
	PublicKey string `json:"public_key"`
}
