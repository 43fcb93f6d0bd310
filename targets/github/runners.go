package github

import (
	"fmt"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
)

// oneMachineOnly refuses what works only when every job runs on the same
// machine, as under `mlc run`: each GitHub Actions job has a runner of its
// own, so a local OCI layout or a deployment directory one job writes is
// not there for the next.
func oneMachineOnly(p *ir.Pipeline) error {
	if strings.HasPrefix(p.Registry, "oci:") {
		return fmt.Errorf("%s: registry %q is a directory on one machine, but each GitHub Actions job runs on its own runner, so no job would find what the jobs before it pushed\n\tset registry: in the spec to an OCI registry, e.g. \"ghcr.io/OWNER/REPO\" (`mlc run` keeps its local store)", p.Source, p.Registry)
	}
	for _, w := range p.Workflows {
		for _, j := range w.Jobs {
			for _, st := range j.Steps {
				if url := envValue(st.Env, "MLC_URL"); strings.HasPrefix(url, "file:") {
					return fmt.Errorf("%s: environments.%s.url %q deploys into a directory of the machine the job runs on, but GitHub Actions runs deploy and smoke-test jobs on separate runners; only `mlc run` shares a work tree (and MLC_SPEC_DIR) between jobs\n\tcompile for github without the tag that selects this deployment (-t local), or run it with `mlc run`", p.Source, j.Environment, url)
				}
			}
		}
	}
	return nil
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
