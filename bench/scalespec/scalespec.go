// Package scalespec writes the pipeline a large team commits, at any number
// of models: what the compile benchmarks measure, mlc and cue alike.
//
// Each model trains on its own features and labels plus a dataset every
// model shares, each with a schema, row bounds, compliance scans, and
// (labels) fairness tests; has training code with lint and tests; trains
// with resources, retries and parameters; passes metric, regression and
// fairness gates; is packaged as an app; and is delivered to staging, then
// to production behind an approval, each model in its own delivery
// workflow (split). One monitor watches the shared data.
package scalespec

import (
	"fmt"
	"io"
	"strings"
)

// Write writes the spec of n models as one pipeline.cue to w.
func Write(w io.Writer, n int) error {
	var b strings.Builder
	b.WriteString(header)
	for i := range n {
		fmt.Fprintf(&b, model, i)
		if b.Len() > 1<<20 {
			if _, err := io.WriteString(w, b.String()); err != nil {
				return err
			}
			b.Reset()
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

const header = `package pipeline

name:       "fleet"
registry:   "ghcr.io/acme/ml"
repository: "https://github.com/acme/fleet.git"

// One delivery workflow per model: every engine refuses one for the whole
// fleet (GitHub 500 KB, Kubernetes 1.5 MiB) from a few dozen models on.
split: "model"

triggers: {
	push: {branches: ["main"], tags: ["v*"]}
	pull_request: fixtures: "fixtures"
	schedule: retrain: "0 3 * * 1"
	manual: true
}

secrets: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "KUBECONFIG_STAGING", "KUBECONFIG_PRODUCTION", "SLACK_WEBHOOK"]

_python: "python:3.12.12-slim@sha256:f3fa41d74a768c2fce8016b98c191ae8c1bacd8f1152870a3f9f87d350920b7c"
_aws: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"]
_pii: ["email", "phone", "ssn", "credit_card", "iban"]
_rollout: {
	secret: string
	app:    string
	out: {
		image:   "docker.io/alpine/k8s:1.34.1@sha256:ec714df3813b5405292860f8a1c55c5727bf8c33c88992f1e981efad8065547f"
		secrets: [secret]
		run: """
			umask 077
			kubeconfig="${TMPDIR:-/tmp}/kubeconfig.$$"
			trap 'rm -f "$kubeconfig"' EXIT
			printf '%s' "$\(secret)" >"$kubeconfig"
			export KUBECONFIG="$kubeconfig"
			kubectl set image deployment/\(app) app="$MLC_APP_IMAGE"
			kubectl rollout status deployment/\(app) --timeout=300s
			"""
	}
}

datasets: customers: {
	source: s3: {bucket: "acme-raw", prefix: "customers/", region: "eu-west-1"}
	secrets: _aws
	schema: {id: string, age: int & >=18 & <=120, country: string, segment: "retail" | "business"}
	rows: min: 1000
	compliance: forbid: _pii
}

monitor: {
	schedule: "0 * * * *"
	drift: {
		reference: "customers"
		current: s3: {bucket: "acme-live", prefix: "customers/", region: "eu-west-1"}
		threshold: 0.2
	}
	secrets:  _aws
	on_drift: "retrain"
}

alert: webhook_secret: "SLACK_WEBHOOK"
`

// model is one model's part of the spec; every %[1]d is its number.
const model = `
datasets: "features-%[1]d": {
	source: s3: {bucket: "acme-raw", prefix: "features/%[1]d/", region: "eu-west-1"}
	secrets: _aws
	schema: {
		id:      string
		income:  number & >=0
		debt:    number & >=0
		tenure:  int & >=0
		channel: "web" | "branch" | "phone"
		"score?": number & >=0 & <=1
	}
	rows: {min: 100, max: 100000000}
	max_null_share: 0.05
	prepare: {image: _python, run: "python prep.py --model %[1]d", dir: "models/m%[1]d/data"}
	compliance: forbid: _pii
}
datasets: "labels-%[1]d": {
	source: gcs: {bucket: "acme-labels", prefix: "m%[1]d/"}
	schema: {id: string, gender: "f" | "m" | "x", label: 0 | 1}
	rows: min: 100
	fairness: {protected: ["gender"], label: "label", max_parity_difference: 0.1}
	compliance: forbid: _pii
}
code: "trainer-%[1]d": {path: "models/m%[1]d/train", lint: "python -m py_compile *.py", test: "python -m unittest -q", channel: "beta"}
models: "m%[1]d": {
	train: {
		code:  "trainer-%[1]d"
		data:  ["features-%[1]d", "labels-%[1]d", "customers"]
		image: _python
		run:   "python train.py"
		dir:   "models/m%[1]d/train"
		resources: {gpu: 1, memory: "32Gi", cpu: 8, gpu_type: "nvidia-l4"}
		timeout: "12h"
		retries: 2
		params: {epochs: 200, learning_rate: 0.1, seed: %[1]d}
	}
	evaluate: {
		run:   "python eval.py"
		gates: {accuracy: ">= 0.80", auc: ">= 0.75"}
		no_regression: ["accuracy"]
		tolerance: 0.01
		fairness: {protected: ["gender"], metric: "equalized_odds_difference", max: 0.15}
	}
}
apps: "api-%[1]d": {
	model: "m%[1]d"
	image: {context: "models/m%[1]d/service", cmd: ["python", "app.py", "8080"], env: HOST: "0.0.0.0", ports: [8080]}
}
environments: "staging-%[1]d": {
	app:    "api-%[1]d"
	deploy: (_rollout & {secret: "KUBECONFIG_STAGING", app: "api-%[1]d"}).out
	url:    "https://api-%[1]d.staging.acme.example"
	smoke:  "curl -fsS \"$MLC_URL/healthz\""
}
environments: "production-%[1]d": {
	app:      "api-%[1]d"
	after:    "staging-%[1]d"
	approval: true
	deploy:   (_rollout & {secret: "KUBECONFIG_PRODUCTION", app: "api-%[1]d"}).out
	url:      "https://api-%[1]d.acme.example"
	smoke:    "curl -fsS \"$MLC_URL/healthz\""
}
`
