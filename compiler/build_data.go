package compiler

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// Working directories inside the spec directory. They hold data the jobs
// fetch or pull; users' .gitignore should list .mlc/.
const workDir = ".mlc/work"

func dataDir(dataset string) string { return workDir + "/data/" + dataset }
func modelDir(model string) string  { return workDir + "/model/" + model }
func evalDir(model string) string   { return workDir + "/eval/" + model }
func rawDir(dataset string) string  { return workDir + "/raw/" + dataset }

// datasetJob acquires, validates, prepares, tests and (when publish)
// versions one dataset.
func (b *builder) datasetJob(name string, publish bool) *ir.Job {
	d := b.spec.Datasets[name]
	j := b.job("dataset-"+name, "Dataset "+name, ir.StageVersion, "datasets", name)
	data := rawDir(name)
	// Pull requests get secrets only when the spec says so; else data
	// that needs them comes from the fixtures (checkPullRequestSecrets).
	pr := b.spec.pullRequest()
	fetch, fetchSecrets, prepSecrets := b.withSpec([]string{"fetch", name}, "--out", data), d.Secrets, []string(nil)
	if d.Prepare != nil {
		prepSecrets = d.Prepare.Secrets
	}
	if !publish && !pr.Secrets {
		if len(d.Secrets) > 0 {
			fetch = append(fetch, "--offline", "--fixtures", pr.Fixtures)
		}
		fetchSecrets, prepSecrets = nil, nil
	}
	j.Steps = append(j.Steps, withSecrets(j, b.mlc("fetch", "Acquire", fetch...), fetchSecrets...))
	if d.HasSchema {
		j.Steps = append(j.Steps, b.mlc("schema", "Validate schema", b.withSpec([]string{"check", "schema", data}, "--dataset", name)...))
	}
	if p := d.Prepare; p != nil {
		j.Image = p.Image
		j.Steps = append(j.Steps, withSecrets(j, b.script("prepare", "Prepare", p.Run, p.Dir, p.Env,
			map[string]string{"MLC_DATA": data, "MLC_PREPARED": dataDir(name)}), prepSecrets...))
		data = dataDir(name)
	}
	if f := d.Fairness; f != nil {
		args := []string{"check", "fairness", data, "--protected", strings.Join(f.Protected, ","),
			"--label", f.Label, "--positive", fmt.Sprint(f.Positive),
			"--min-disparate-impact", num(f.MinDisparateImpact)}
		if f.MaxParityDifference != nil {
			args = append(args, "--max-parity-difference", num(*f.MaxParityDifference))
		}
		j.Steps = append(j.Steps, b.mlc("fairness", "Test fairness", args...))
	}
	if c := d.Compliance; c != nil {
		j.Steps = append(j.Steps, b.mlc("pii", "Scan for personal data", "check", "pii", data, "--forbid", strings.Join(c.Forbid, ",")))
	}
	if !publish {
		return j
	}
	ref := b.ref("dataset", name, "${MLC_REVISION}")
	b.useRegistry(j, true)
	j.Steps = append(j.Steps, b.signedPush(j, "push", "Version dataset", "push", "dataset", data, ref))
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactDataset, FromStep: "push"}}
	return j
}

// codeJob lints and tests training code and (when publish) pushes it as a
// versioned artifact on its channel.
func (b *builder) codeJob(name string, publish bool) *ir.Job {
	c := b.spec.Code[name]
	j := b.job("code-"+name, "Code "+name, ir.StageCodeCI, "code", name)
	j.Image = c.Image
	if c.Lint != "" {
		j.Steps = append(j.Steps, b.script("lint", "Lint", c.Lint, c.Path, nil, nil))
	}
	if c.Test != "" {
		j.Steps = append(j.Steps, b.script("test", "Unit tests", c.Test, c.Path, nil, nil))
	}
	if !publish {
		return j
	}
	ref := b.ref("code", name, "${MLC_REVISION}")
	b.useRegistry(j, true)
	j.Steps = append(j.Steps,
		b.signedPush(j, "push", "Version code", "push", "code", c.Path, ref, "--tag", c.Channel))
	j.Outputs = []ir.Output{{Name: "ref", Kind: ir.ArtifactCode, FromStep: "push"}}
	return j
}

// num formats a threshold for an mlc argument: exact, in as few digits as
// read back the same (reports show statistics with report.Num instead).
func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
