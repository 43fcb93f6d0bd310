package github

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
)

// check refuses what works only when every job runs on the same machine,
// as under `mlc run`: each GitHub Actions job has a runner of its own, so
// a local OCI layout or a deployment directory one job writes is not there
// for the next.
func check(p *ir.Pipeline) []ir.Problem {
	var ps []ir.Problem
	if strings.HasPrefix(p.Registry, "oci:") {
		ps = append(ps, ir.Problem{Where: ir.Where{Field: "Registry"},
			Msg: fmt.Sprintf("github: registry %q is a directory on one machine, but each GitHub Actions job runs on its own runner, so no job would find what the jobs before it pushed\n\tset registry: in the spec to an OCI registry, e.g. \"ghcr.io/OWNER/REPO\" (`mlc run` keeps its local store)", p.Registry)})
	}
	for _, w := range p.Workflows {
		seen := map[string]bool{} // environments refused, once each
		for _, j := range w.Jobs {
			for _, st := range j.Steps {
				env := envValue(st.Env, "MLC_ENVIRONMENT") // deploy and smoke steps name it
				if url := envValue(st.Env, "MLC_URL"); strings.HasPrefix(url, "file:") && !seen[env] {
					seen[env] = true
					ps = append(ps, ir.Problem{Where: ir.Where{Workflow: w.Name, Job: j.ID},
						Msg: fmt.Sprintf("github: environments.%s.url %q deploys into a directory of the machine the job runs on, but GitHub Actions runs deploy and smoke-test jobs on separate runners; only `mlc run` shares a work tree (and MLC_SPEC_DIR) between jobs\n\tcompile for github without the tag that selects this deployment (-t local), or run it with `mlc run`", env, url)})
				}
			}
		}
	}
	return ps
}

// actionlintConfig declares the labels of the self-hosted runners the
// workflows name, so stock actionlint accepts them. It goes to
// .github/actionlint.yaml, beside the workflows directory, where the
// writer's stale-file logic (the top level of the output directory only)
// never removes it. Nil when no job runs on a self-hosted runner.
func actionlintConfig(p *ir.Pipeline, header string) (*targets.File, error) {
	var labels []string
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			l := runnerLabels(p, j)
			if slices.Contains(l, "self-hosted") {
				labels = append(labels, l...)
			}
		}
	}
	labels = slices.DeleteFunc(labels, func(l string) bool { return l == "self-hosted" })
	slices.Sort(labels)
	labels = slices.Compact(labels)
	if len(labels) == 0 {
		return nil, nil
	}
	header += "# actionlint: the labels of the self-hosted runners the workflows use.\n"
	data, err := yamlout.Encode(header, yamlout.NewMap().Set("self-hosted-runner", yamlout.NewMap().Set("labels", labels)))
	if err != nil {
		return nil, err
	}
	return &targets.File{Path: "../actionlint.yaml", Data: data}, nil
}
