package tekton

import (
	"cmp"
	"slices"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets/internal/kube"
)

// runKeySchedule is the key of the "<workflow>-run" ConfigMap: the
// PipelineRun its CronJobs create.
const runKeySchedule = "schedule.yaml"

func runsConfigMap(workflow string) string { return workflow + "-run" }

// triggerConfigMap holds the PipelineRun a trigger step creates, under
// the key "<workflow>.yaml" alone: a step starting thousands of workflows
// projects each ConfigMap whole (no items) and creates the directory, so
// each target costs its pod spec a name, not a name, key, path and
// argument (10,000 deliveries to retrain fit in Kubernetes' 1.5 MiB).
func triggerConfigMap(workflow string) string { return workflow + "-trigger" }

// starter is the ServiceAccount (and Role) allowed to create runs of a
// workflow: its CronJobs and the trigger steps that start it use it.
func starter(workflow string) string { return workflow + "-starter" }

// stepsAccount is the tokenless ServiceAccount every other task runs as:
// user code gets no API token, so it cannot create a run under another
// account or read the pipeline's Secret (kube.Tokenless). Only the queue
// and trigger tasks, which run no user code, run as accounts with a Role.
func stepsAccount(workflow string) string { return workflow + "-steps" }

// pipelineRun is the run template of a workflow for one event (manual,
// schedule, trigger), which its label records; parameters keep their
// defaults. The pipeline timeout is off because each task has its own
// deadline and approvals may wait for days.
func (r *renderer) pipelineRun(w *ir.Workflow, event string) object {
	spec := pipelineRunSpec{
		PipelineRef:     nameRef{Name: w.Name},
		Timeouts:        &timeouts{Pipeline: "0s"},
		TaskRunTemplate: &taskRunTemplate{ServiceAccountName: stepsAccount(w.Name)},
	}
	if slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return j.Workspace }) {
		spec.Workspaces = []runWorkspace{{Name: workspaceName, EmptyDir: &struct{}{}}}
	}
	if w.Concurrency != "" {
		spec.TaskRunSpecs = append(spec.TaskRunSpecs, pipelineTaskRunSpec{PipelineTaskName: queueTask, ServiceAccountName: queueAccount(w.Name)})
	}
	for _, j := range w.Jobs {
		if trs, ok := taskRunSpec(j.ID, j.Resources, j.Steps); ok {
			spec.TaskRunSpecs = append(spec.TaskRunSpecs, trs)
		}
	}
	if trs, ok := taskRunSpec(onFailureTask, ir.Resources{}, w.OnFailure); ok {
		spec.TaskRunSpecs = append(spec.TaskRunSpecs, trs)
	}
	m := r.meta("")
	m.GenerateName = w.Name + "-"
	m.Labels["mlc.dev/event"] = event
	return object{APIVersion: "tekton.dev/v1", Kind: "PipelineRun", Metadata: m, Spec: spec}
}

// taskRunSpec places GPU tasks on GPU nodes and runs tasks with a trigger
// step as the starter of the workflow they trigger.
func taskRunSpec(task string, res ir.Resources, steps []ir.Step) (pipelineTaskRunSpec, bool) {
	trs := pipelineTaskRunSpec{PipelineTaskName: task}
	for _, s := range steps {
		if s.Kind == ir.StepTrigger {
			trs.ServiceAccountName = starter(s.Triggers[0]) // may create any run: kube.Account
		}
	}
	if res.GPU > 0 {
		trs.PodTemplate = &podTemplate{}
		trs.PodTemplate.Tolerations, trs.PodTemplate.NodeSelector = kube.GPUPlacement(res)
	}
	return trs, trs.ServiceAccountName != "" || trs.PodTemplate != nil
}

// startObjects are the objects that let Kubernetes start runs of w without
// a person: the run templates, the least-privileged ServiceAccount that may
// create PipelineRuns, and a CronJob per schedule.
func (r *renderer) startObjects(w *ir.Workflow, triggered bool) ([]any, error) {
	var objs []any
	if len(w.Triggers.Schedules) > 0 {
		doc, err := kube.Document(r.pipelineRun(w, "schedule"))
		if err != nil {
			return nil, err
		}
		objs = append(objs, kube.NewConfigMap(r.meta(runsConfigMap(w.Name)), map[string]string{runKeySchedule: doc}))
	}
	if triggered {
		doc, err := kube.Document(r.pipelineRun(w, "trigger"))
		if err != nil {
			return nil, err
		}
		objs = append(objs, kube.NewConfigMap(r.meta(triggerConfigMap(w.Name)), map[string]string{w.Name + ".yaml": doc}))
	}
	if len(objs) == 0 {
		return nil, nil
	}
	objs = append(objs, r.account(starter(w.Name), "create")...)
	for _, s := range w.Triggers.Schedules {
		objs = append(objs, r.cronJob(w, s))
	}
	return objs, nil
}

// cronJob starts the workflow on schedule by creating the run template
// with kubectl. Forbid keeps a slow API server from doubling runs.
func (r *renderer) cronJob(w *ir.Workflow, s ir.Schedule) object {
	const runsVolume = "runs"
	return object{
		APIVersion: "batch/v1",
		Kind:       "CronJob",
		Metadata:   r.meta(w.Name + "-" + s.Name),
		Spec: cronJobSpec{
			Schedule:                   s.Cron,
			TimeZone:                   "Etc/UTC",
			ConcurrencyPolicy:          "Forbid",
			SuccessfulJobsHistoryLimit: 3,
			FailedJobsHistoryLimit:     3,
			JobTemplate: jobTemplate{Spec: jobSpec{
				BackoffLimit: 2,
				Template: podTemplateSpec{Spec: podSpec{
					ServiceAccountName: starter(w.Name),
					RestartPolicy:      "Never",
					Containers: []kube.Container{{
						Name:         "start",
						Image:        cmp.Or(r.p.Helpers.Kubectl, kubectlImage),
						Command:      []string{"/bin/kubectl", "create", "-f", runsMount + "/" + runKeySchedule},
						VolumeMounts: []kube.VolumeMount{{Name: runsVolume, MountPath: runsMount, ReadOnly: true}},
					}},
					Volumes: []kube.Volume{{Name: runsVolume, ConfigMap: &kube.ConfigMapVolume{Name: runsConfigMap(w.Name)}}},
				}},
			}},
		},
	}
}
