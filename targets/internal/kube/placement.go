package kube

import (
	"fmt"
	"regexp"

	"github.com/mlc-project/mlc/ir"
)

// Labels mark every object a Kubernetes target writes as mlc's and as part
// of the pipeline, with Kubernetes' recommended label keys, so one selector
// finds a pipeline's objects on either engine.
func Labels(pipeline string) map[string]string {
	return map[string]string{"app.kubernetes.io/managed-by": "mlc", "app.kubernetes.io/part-of": pipeline}
}

// MaxScheduleName is the longest name of a scheduled object: Kubernetes
// CronJobs (Tekton's schedules) and Argo's CronWorkflows both append a
// timestamp suffix to theirs within the 63 characters of a name.
const MaxScheduleName = 52

// ResourceHolder picks the step whose container carries the job's
// resources. Both engines run a job's steps as containers of one pod, and
// Kubernetes adds up the requests of a pod's containers and gives each its
// own GPUs, so the resources go to one step: the one marked GPU, else the
// first script or image build (the work), else the first step.
func ResourceHolder(j *ir.Job) (int, error) {
	holder, work := -1, -1
	for i, s := range j.Steps {
		if s.GPU {
			if holder >= 0 {
				return 0, fmt.Errorf("steps %s and %s both need the GPUs; a job's steps are containers of one pod and Kubernetes would give each its own GPUs: put the GPU work in one step or split the job", j.Steps[holder].ID, s.ID)
			}
			holder = i
		}
		if work < 0 && (s.Kind == ir.StepScript || s.Kind == ir.StepBuildImage) {
			work = i
		}
	}
	switch {
	case holder >= 0:
		return holder, nil
	case work >= 0:
		return work, nil
	}
	return 0, nil
}

// Resources are a job's requests (what the scheduler reserves), a memory
// limit equal to the request (memory cannot be throttled, so a pod that
// outgrows its reservation is stopped rather than starving the node) and,
// for GPUs, the device plugin's limit. Nil when the job asks for nothing.
func Resources(res ir.Resources) *ResourceRequirements {
	var rs ResourceRequirements
	if res.CPU != "" {
		rs.Requests = map[string]string{"cpu": res.CPU}
	}
	if res.Memory != "" {
		if rs.Requests == nil {
			rs.Requests = map[string]string{}
		}
		rs.Requests["memory"] = res.Memory
		rs.Limits = map[string]string{"memory": res.Memory}
	}
	if res.GPU > 0 {
		if rs.Limits == nil {
			rs.Limits = map[string]string{}
		}
		rs.Limits[GPUResource] = fmt.Sprint(res.GPU)
	}
	if rs.Requests == nil && rs.Limits == nil {
		return nil
	}
	return &rs
}

// quantity is a Kubernetes resource quantity as the schema allows it
// (decimal or binary suffix, no exponent): what Resources places.
var quantity = regexp.MustCompile(`^[0-9]+(\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$`)

// CheckResources explains each resource of a job Kubernetes could not
// read as a quantity; both Kubernetes targets refuse them.
func CheckResources(res ir.Resources) []string {
	var bad []string
	for _, q := range []struct{ field, value string }{{"cpu", res.CPU}, {"memory", res.Memory}} {
		if q.value != "" && !quantity.MatchString(q.value) {
			bad = append(bad, fmt.Sprintf("resources %s %q is not a valid Kubernetes quantity", q.field, q.value))
		}
	}
	return bad
}

// DefaultBranch is the branch scheduled and manual runs are for: the first
// branch pushes are built for, else none (branch-restricted jobs, such as
// deployments, then do not run unless the run names a branch).
func DefaultBranch(w *ir.Workflow) string {
	if p := w.Triggers.Push; p != nil && len(p.Branches) > 0 {
		return p.Branches[0]
	}
	return ""
}

// DefaultRevision is what scheduled and manual runs check out: the default
// branch, else the repository's own default (its HEAD).
func DefaultRevision(w *ir.Workflow) string {
	if b := DefaultBranch(w); b != "" {
		return b
	}
	return "HEAD"
}
