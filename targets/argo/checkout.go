package argo

import (
	"slices"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// revisionTask resolves the revision parameter (a branch, HEAD or a commit)
// to one commit before any job runs; every checkout and MLC_REVISION of the
// run then use that commit, through the global output it exports, so a push
// landing mid-run cannot give two jobs different sources.
const (
	revisionTask   = "mlc-revision"
	revisionOutput = "revision"
	pinnedRevision = "{{workflow.outputs.parameters." + revisionTask + "}}"
	revisionParam  = "{{workflow.parameters." + paramRevision + "}}"
)

// pullRefs fetches every pull request head as well as the branches: a pull
// request from a fork is at a commit no branch of the repository reaches.
var pullRefs = []string{"+refs/pull/*/head:refs/remotes/origin/pull/*"}

// needsCheckout says whether any job of the workflow checks out the source.
func needsCheckout(wf *ir.Workflow) bool {
	return slices.ContainsFunc(wf.Jobs, func(j *ir.Job) bool { return j.Workspace })
}

// checkout is the git input artifact of a job with a workspace, cloned into
// checkoutDir: the commit alone, or with history (ir.Job.History) the whole
// history, and with it every tag (Argo's git driver clones with go-git,
// whose clone fetches all tags).
func (r *workflowRenderer) checkout(revision string, history bool) artifact {
	git := &gitArtifact{Repo: "{{workflow.parameters." + paramRepo + "}}", Revision: revision, Depth: 1}
	if history {
		git.Depth = 0
	}
	if r.wf.Triggers.PullRequest != nil {
		git.Fetch = pullRefs
	}
	return artifact{Name: "workspace", Path: checkoutDir, Git: git}
}

// revisionTemplate checks out the revision parameter and exports the commit
// the checkout is at: Argo's git driver leaves HEAD detached at the commit
// it resolved, so .git/HEAD holds its hash.
func (r *workflowRenderer) revisionTemplate() template {
	script := kube.Literal(`read -r commit < .git/HEAD
case $commit in
*[!0-9a-f]* | "") echo "mlc: the checkout is not at a commit: $commit" >&2; exit 1 ;;
esac
echo "mlc: building commit $commit"
printf '%s' "$commit" > ` + jobOutputFile(revisionOutput) + "\n")
	return template{
		Name:    revisionTask,
		Inputs:  &templateIO{Artifacts: []artifact{r.checkout(revisionParam, false)}},
		Outputs: &templateIO{Parameters: []parameter{{Name: revisionOutput, ValueFrom: &valueFrom{Path: jobOutputFile(revisionOutput)}, GlobalName: revisionTask}}},
		Volumes: podVolumes(),
		ContainerSet: &containerSet{VolumeMounts: podMounts(), Containers: []container{{
			Container: kube.Container{Name: "main", Image: r.p.MLCImage, Command: []string{"sh", "-ec", script}, WorkingDir: checkoutDir},
		}}},
		SecurityContext: kube.JobPodSecurity(),
	}
}

// podVolumes are the scratch volumes of every job pod.
func podVolumes() []kube.Volume {
	return []kube.Volume{
		{Name: mlcVolume, EmptyDir: &struct{}{}},
		{Name: workspaceVolume, EmptyDir: &struct{}{}},
	}
}

// podMounts mount podVolumes into every container of a job pod.
func podMounts() []kube.VolumeMount {
	return []kube.VolumeMount{
		{Name: mlcVolume, MountPath: mlcDir},
		{Name: workspaceVolume, MountPath: workspaceDir},
	}
}
