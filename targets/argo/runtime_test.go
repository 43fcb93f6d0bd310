package argo

import (
	"slices"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

// Defects found running the output on real Argo (issue 12), one test each.

// TestCheckoutIsInsideTheVolume: argoexec clones next to the artifact path
// and renames the clone into place, which fails when the path is a mount
// point; the checkout must be a directory inside the workspace volume, the
// steps' working directory, and the pod must not run as root.
func TestCheckoutIsInsideTheVolume(t *testing.T) {
	p := fixture()
	spec, err := newWorkflowRenderer(p, p.Workflows[0]).templateSpec()
	if err != nil {
		t.Fatal(err)
	}
	checkouts := 0
	for _, tmpl := range spec.Templates {
		if tmpl.Inputs == nil || len(tmpl.Inputs.Artifacts) == 0 {
			continue
		}
		checkouts++
		path := tmpl.Inputs.Artifacts[0].Path
		var under bool
		for _, m := range tmpl.ContainerSet.VolumeMounts {
			if m.MountPath == path {
				t.Errorf("%s: checkout %s is the mount point of volume %s", tmpl.Name, path, m.Name)
			}
			under = under || strings.HasPrefix(path, m.MountPath+"/")
		}
		if !under {
			t.Errorf("%s: checkout %s is on no volume the containers share", tmpl.Name, path)
		}
		for _, c := range tmpl.ContainerSet.Containers {
			if c.Name != "main" && c.WorkingDir != path {
				t.Errorf("%s: container %s works in %s, not in the checkout %s", tmpl.Name, c.Name, c.WorkingDir, path)
			}
		}
		if sc := tmpl.SecurityContext; sc == nil || !sc.RunAsNonRoot || sc.RunAsUser == 0 || sc.FSGroup == 0 {
			t.Errorf("%s: pod security context %+v, want a non-root user owning the volumes", tmpl.Name, sc)
		}
	}
	if checkouts < 2 {
		t.Fatalf("%d templates check out the source, want the fixture's jobs and the revision task", checkouts)
	}
}

// TestRevisionIsResolvedOnce: the first task resolves the revision; every
// job checks out and tags with that commit, not the parameter, which could
// name a branch that moves during the run.
func TestRevisionIsResolvedOnce(t *testing.T) {
	p := fixture()
	spec, err := newWorkflowRenderer(p, p.Workflows[0]).templateSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, task := range spec.Templates[0].DAG.Tasks {
		if task.Name != revisionTask && task.Depends == "" {
			t.Errorf("task %s does not wait for %s", task.Name, revisionTask)
		}
	}
	for _, tmpl := range spec.Templates {
		if tmpl.Name == revisionTask {
			if o := tmpl.Outputs.Parameters[0]; o.GlobalName != revisionTask {
				t.Errorf("revision output %+v is not exported as %s", o, revisionTask)
			}
			continue
		}
		if tmpl.Inputs != nil && len(tmpl.Inputs.Artifacts) > 0 && tmpl.Inputs.Artifacts[0].Git.Revision != pinnedRevision {
			t.Errorf("%s checks out %s", tmpl.Name, tmpl.Inputs.Artifacts[0].Git.Revision)
		}
		if tmpl.ContainerSet == nil || strings.HasPrefix(tmpl.Name, failureTemplate) {
			continue
		}
		for _, c := range tmpl.ContainerSet.Containers {
			if v, ok := envOf(c)["MLC_REVISION"]; ok && v != pinnedRevision {
				t.Errorf("%s/%s: MLC_REVISION=%s", tmpl.Name, c.Name, v)
			}
		}
	}
}

// TestMutexIsNotHeldByApprovals: the concurrency mutex is taken by each job
// while it runs, never by an approval waiting for a person.
func TestMutexIsNotHeldByApprovals(t *testing.T) {
	p := fixture()
	wf := p.Workflows[0]
	spec, err := newWorkflowRenderer(p, wf).templateSpec()
	if err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range spec.Templates {
		held := tmpl.Synchronization != nil && slices.Contains(tmpl.Synchronization.Mutexes, mutex{Name: wf.Concurrency})
		isJob := slices.ContainsFunc(wf.Jobs, func(j *ir.Job) bool { return j.ID == tmpl.Name })
		if tmpl.Suspend != nil && tmpl.Synchronization != nil {
			t.Errorf("approval %s holds %+v", tmpl.Name, tmpl.Synchronization)
		}
		if isJob && !held {
			t.Errorf("job %s does not take the mutex %s", tmpl.Name, wf.Concurrency)
		}
	}
}

// TestPullRequestHeadsAreFetched: a pull request from a fork is at a commit
// no branch reaches, so pull-request workflows fetch the pull heads too.
func TestPullRequestHeadsAreFetched(t *testing.T) {
	p := fixture()
	for _, wf := range p.Workflows {
		spec, err := newWorkflowRenderer(p, wf).templateSpec()
		if err != nil {
			t.Fatal(err)
		}
		for _, tmpl := range spec.Templates {
			if tmpl.Inputs == nil || len(tmpl.Inputs.Artifacts) == 0 {
				continue
			}
			fetch := tmpl.Inputs.Artifacts[0].Git.Fetch
			if want := wf.Triggers.PullRequest != nil; want != slices.Equal(fetch, pullRefs) {
				t.Errorf("%s/%s fetches %v; pull-request trigger: %v", wf.Name, tmpl.Name, fetch, want)
			}
		}
	}
}
