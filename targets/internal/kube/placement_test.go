package kube

import (
	"reflect"
	"strings"
	"testing"

	"github.com/mlc-project/mlc/ir"
)

func TestResourceHolder(t *testing.T) {
	mlc, script, build := ir.Step{ID: "mlc", Kind: ir.StepMLC}, ir.Step{ID: "run", Kind: ir.StepScript}, ir.Step{ID: "build", Kind: ir.StepBuildImage}
	gpu := func(s ir.Step) ir.Step { s.GPU = true; return s }
	for name, tc := range map[string]struct {
		steps []ir.Step
		want  int
	}{
		"marked GPU step":      {[]ir.Step{mlc, script, gpu(mlc)}, 2},
		"first script":         {[]ir.Step{mlc, script, build}, 1},
		"image build is work":  {[]ir.Step{mlc, build, script}, 1},
		"else the first step":  {[]ir.Step{mlc, mlc}, 0},
		"no steps, first slot": {nil, 0},
	} {
		got, err := ResourceHolder(&ir.Job{Steps: tc.steps})
		if err != nil || got != tc.want {
			t.Errorf("%s: ResourceHolder = %d, %v; want %d", name, got, err, tc.want)
		}
	}
	_, err := ResourceHolder(&ir.Job{Steps: []ir.Step{gpu(script), mlc, gpu(build)}})
	if err == nil || !strings.Contains(err.Error(), "steps run and build both need the GPUs") {
		t.Errorf("two GPU steps: err = %v", err)
	}
}

func TestResources(t *testing.T) {
	for _, tc := range []struct {
		res  ir.Resources
		want *ResourceRequirements
	}{
		{ir.Resources{}, nil},
		{ir.Resources{CPU: "2"}, &ResourceRequirements{Requests: map[string]string{"cpu": "2"}}},
		{ir.Resources{Memory: "8Gi"}, &ResourceRequirements{Requests: map[string]string{"memory": "8Gi"}, Limits: map[string]string{"memory": "8Gi"}}},
		{ir.Resources{GPU: 2}, &ResourceRequirements{Limits: map[string]string{GPUResource: "2"}}},
		{ir.Resources{CPU: "4", Memory: "32Gi", GPU: 1}, &ResourceRequirements{
			Requests: map[string]string{"cpu": "4", "memory": "32Gi"},
			Limits:   map[string]string{"memory": "32Gi", GPUResource: "1"}}},
	} {
		if got := Resources(tc.res); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Resources(%+v) = %+v, want %+v", tc.res, got, tc.want)
		}
	}
}

func TestDefaultRevision(t *testing.T) {
	pushed := &ir.Workflow{Triggers: ir.Triggers{Push: &ir.BranchFilter{Branches: []string{"release", "main"}}}}
	if b, r := DefaultBranch(pushed), DefaultRevision(pushed); b != "release" || r != "release" {
		t.Errorf("push to release: branch %q revision %q", b, r)
	}
	scheduled := &ir.Workflow{}
	if b, r := DefaultBranch(scheduled), DefaultRevision(scheduled); b != "" || r != "HEAD" {
		t.Errorf("no push trigger: branch %q revision %q, want none and the repository's HEAD", b, r)
	}
}

// Both Kubernetes targets refuse a resource Kubernetes could not read,
// naming each; what the schema allows passes.
func TestCheckResources(t *testing.T) {
	for _, ok := range []ir.Resources{{}, {CPU: "2", Memory: "32Gi"}, {CPU: "0.5", Memory: "1.5G"}, {CPU: "500m", Memory: "512k"}} {
		if bad := CheckResources(ok); len(bad) != 0 {
			t.Errorf("%+v refused: %v", ok, bad)
		}
	}
	bad := CheckResources(ir.Resources{CPU: "-1", Memory: "512K"})
	if len(bad) != 2 || !strings.Contains(bad[0], `cpu "-1"`) || !strings.Contains(bad[1], `memory "512K"`) {
		t.Errorf("CheckResources = %q, want cpu and memory refused", bad)
	}
}
