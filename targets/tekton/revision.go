package tekton

import (
	"cmp"
	"slices"
	"time"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// The revision task resolves the revision parameter (a branch, a tag,
// annotated ones peeled, or a commit) to one commit before any job runs; every task's checkout and MLC_REVISION
// use that commit, so a push landing mid-run cannot give two tasks
// different sources.
const (
	revisionTaskName = "mlc-revision"
	commitResult     = "commit"
)

// revisionTimeout bounds the one fetch the revision task makes.
const revisionTimeout = 10 * time.Minute

// defaultTimeout is the timeout of a job that sets none, GitHub Actions'
// default: every task gets an explicit one, as a task without one gets
// Tekton's 60-minute default even when the PipelineRun has no timeout
// (tektoncd/pipeline#7793).
const defaultTimeout = 6 * time.Hour

func taskTimeout(d time.Duration) string {
	if d <= 0 {
		d = defaultTimeout
	}
	return d.String()
}

func needsCheckout(w *ir.Workflow) bool {
	return slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return j.Workspace })
}

// revisionOf is what the jobs of w get as MLC_REVISION: the resolved commit
// when the workflow checks out the source, else the revision parameter.
func revisionOf(w *ir.Workflow) string {
	if needsCheckout(w) {
		return resultRef(revisionTaskName, commitResult)
	}
	return "$(params." + paramRevision + ")"
}

func revisionTask(p *ir.Pipeline) pipelineTask {
	return pipelineTask{
		Name:        revisionTaskName,
		DisplayName: "Resolve the revision to a commit",
		Timeout:     revisionTimeout.String(),
		Params: []param{
			{Name: "MLC_REPO_URL", Value: "$(params." + paramRepo + ")"},
			{Name: "MLC_REVISION", Value: "$(params." + paramRevision + ")"},
		},
		TaskSpec: &embeddedTask{
			Params:  []paramSpec{{Name: "MLC_REPO_URL", Type: "string"}, {Name: "MLC_REVISION", Type: "string"}},
			Results: []result{{Name: commitResult, Type: "string", Description: "The commit the revision parameter named when the run started."}},
			Steps: []step{{
				Name:    "resolve",
				Image:   cmp.Or(p.Helpers.Git, gitImage),
				Command: []string{"sh", "-ec", resolveScript},
				Env: []kube.EnvVar{
					{Name: "MLC_REPO_URL", Value: "$(params.MLC_REPO_URL)"},
					{Name: "MLC_RESULT", Value: "$(results." + commitResult + ".path)"},
					{Name: "MLC_REVISION", Value: "$(params.MLC_REVISION)"},
				},
			}},
		},
	}
}

const resolveScript = `git init -q /tmp/mlc-revision
cd /tmp/mlc-revision
git fetch -q --depth 1 "$MLC_REPO_URL" "$MLC_REVISION"
commit=$(git rev-parse "FETCH_HEAD^{commit}")
echo "building commit $commit"
printf '%s' "$commit" > "$MLC_RESULT"
`
