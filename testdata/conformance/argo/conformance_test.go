package conformance

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	wfv1 "github.com/argoproj/argo-workflows/v3/pkg/apis/workflow/v1alpha1"
	"github.com/argoproj/argo-workflows/v3/workflow/validate"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// goldenGlob matches every file the argo target rendered into the golden
// directories (the targets/argo fixture and each example).
const goldenGlob = "../../golden/*/argo/*.yaml"

// document is one YAML document of a generated file.
type document struct {
	where string // file#index, for messages
	raw   []byte
	kind  string
}

// pipelineDocs groups the documents by pipeline directory: a CronWorkflow or
// a trigger step may reference a WorkflowTemplate from another file of the
// same pipeline.
func pipelineDocs(t *testing.T) map[string][]document {
	t.Helper()
	files, err := filepath.Glob(goldenGlob)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no golden files match %s; run go test ./targets/argo -update in the main module", goldenGlob)
	}
	out := map[string][]document{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
		for i := 0; ; i++ {
			raw, err := r.Read()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			var head struct{ Kind string }
			if err := yaml.Unmarshal(raw, &head); err != nil {
				t.Fatalf("%s#%d: %v", f, i, err)
			}
			dir := filepath.Dir(filepath.Dir(f))
			out[dir] = append(out[dir], document{where: fmt.Sprintf("%s#%d", f, i), raw: raw, kind: head.Kind})
		}
	}
	return out
}

// templates is a WorkflowTemplate getter over one pipeline's documents.
type templates map[string]*wfv1.WorkflowTemplate

func (ts templates) Get(name string) (*wfv1.WorkflowTemplate, error) {
	if wt, ok := ts[name]; ok {
		return wt, nil
	}
	return nil, fmt.Errorf("WorkflowTemplate %q is not in the generated files", name)
}

type noClusterTemplates struct{}

func (noClusterTemplates) Get(name string) (*wfv1.ClusterWorkflowTemplate, error) {
	return nil, fmt.Errorf("ClusterWorkflowTemplate %q: mlc never references one", name)
}

// TestGeneratedManifests strict-decodes every generated object into the
// Argo Workflows v3.7.0 / Kubernetes Go types, runs Argo's own validation on
// it, and checks that re-encoding the typed object keeps every field.
func TestGeneratedManifests(t *testing.T) {
	for dir, docs := range pipelineDocs(t) {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			wfts := templates{}
			for _, d := range docs {
				if d.kind == "WorkflowTemplate" {
					wt := &wfv1.WorkflowTemplate{}
					decodeStrict(t, d, wt)
					wfts[wt.Name] = wt
				}
			}
			for _, d := range docs {
				checkDocument(t, d, wfts)
			}
		})
	}
}

func checkDocument(t *testing.T, d document, wfts templates) {
	switch d.kind {
	case "ServiceAccount":
		decodeStrict(t, d, &corev1.ServiceAccount{})
	case "Secret":
		var s corev1.Secret
		decodeStrict(t, d, &s)
		if s.Type != corev1.SecretTypeServiceAccountToken || s.Annotations[corev1.ServiceAccountNameKey] == "" {
			t.Errorf("%s: a Secret that is not an account's token: %+v", d.where, s.ObjectMeta)
		}
	case "Role":
		decodeStrict(t, d, &rbacv1.Role{})
	case "RoleBinding":
		decodeStrict(t, d, &rbacv1.RoleBinding{})
	case "WorkflowTemplate":
		wt := &wfv1.WorkflowTemplate{}
		decodeStrict(t, d, wt)
		if err := validate.ValidateWorkflowTemplate(wfts, noClusterTemplates{}, wt, nil, validate.ValidateOpts{}); err != nil {
			t.Errorf("%s: argo rejects WorkflowTemplate %s: %v", d.where, wt.Name, err)
		}
		// A submitted run gets every parameter a value from its defaults.
		if err := validate.ValidateWorkflowTemplate(wfts, noClusterTemplates{}, wt, nil, validate.ValidateOpts{Submit: true}); err != nil {
			t.Errorf("%s: argo rejects submitting WorkflowTemplate %s: %v", d.where, wt.Name, err)
		}
		checkTriggers(t, d, wt, wfts)
		checkVolumes(t, d, wt)
	case "CronWorkflow":
		cw := &wfv1.CronWorkflow{}
		decodeStrict(t, d, cw)
		if err := validate.ValidateCronWorkflow(context.Background(), wfts, noClusterTemplates{}, cw, nil); err != nil {
			t.Errorf("%s: argo rejects CronWorkflow %s: %v", d.where, cw.Name, err)
		}
	default:
		t.Errorf("%s: unexpected kind %q", d.where, d.kind)
	}
}

// checkVolumes checks what Argo's validation does not: the controller adds a
// workflow-level volume to a pod only when the template's own (or its
// container set's) volumeMounts name it, so a mount inside one container
// of a container set must name a volume of the template itself; and input
// artifacts (the git checkout) must land on a volume all containers share.
func checkVolumes(t *testing.T, d document, wt *wfv1.WorkflowTemplate) {
	for _, tmpl := range wt.Spec.Templates {
		if tmpl.ContainerSet == nil {
			continue
		}
		local := map[string]bool{}
		for _, v := range tmpl.Volumes {
			local[v.Name] = true
		}
		for _, c := range tmpl.ContainerSet.Containers {
			for _, m := range c.VolumeMounts {
				if !local[m.Name] {
					t.Errorf("%s: template %s container %s mounts %q, which is not a volume of the template; the pod would lack it", d.where, tmpl.Name, c.Name, m.Name)
				}
			}
		}
		for _, a := range tmpl.Inputs.Artifacts {
			// Only on a volume the whole set mounts does the init container
			// load the artifact where every container sees it.
			if !slices.ContainsFunc(tmpl.ContainerSet.VolumeMounts, func(m corev1.VolumeMount) bool {
				return a.Path == m.MountPath || strings.HasPrefix(a.Path, m.MountPath+"/")
			}) {
				t.Errorf("%s: template %s loads artifact %s at %s, outside the volumes every container mounts", d.where, tmpl.Name, a.Name, a.Path)
			}
		}
		for _, m := range tmpl.ContainerSet.VolumeMounts {
			if !local[m.Name] && !slices.ContainsFunc(wt.Spec.Volumes, func(v corev1.Volume) bool { return v.Name == m.Name }) {
				t.Errorf("%s: template %s mounts %q, which no volume defines", d.where, tmpl.Name, m.Name)
			}
		}
	}
}

// checkTriggers validates the Workflows that resource templates create:
// one for each item of every step running the template, its input
// parameters substituted as Argo does.
func checkTriggers(t *testing.T, d document, wt *wfv1.WorkflowTemplate, wfts templates) {
	for _, tmpl := range wt.Spec.Templates {
		if tmpl.Resource == nil {
			continue
		}
		runs := 0
		for _, caller := range wt.Spec.Templates {
			for _, parallel := range caller.Steps {
				for _, st := range parallel.Steps {
					if st.Template != tmpl.Name {
						continue
					}
					items := st.WithItems
					if len(items) == 0 {
						items = []wfv1.Item{{}}
					}
					for _, item := range items {
						manifest := tmpl.Resource.Manifest
						for _, p := range st.Arguments.Parameters {
							value := strings.ReplaceAll(p.Value.String(), "{{item}}", item.GetStrVal())
							manifest = strings.ReplaceAll(manifest, "{{inputs.parameters."+p.Name+"}}", value)
						}
						runs++
						sub := document{where: fmt.Sprintf("%s template %s manifest (step %s, item %q)", d.where, tmpl.Name, st.Name, item.GetStrVal()), raw: []byte(manifest)}
						wf := &wfv1.Workflow{}
						decodeStrict(t, sub, wf)
						if err := validate.ValidateWorkflow(wfts, noClusterTemplates{}, wf, nil, validate.ValidateOpts{Submit: true}); err != nil {
							t.Errorf("%s: argo rejects the Workflow it creates: %v", sub.where, err)
						}
					}
				}
			}
		}
		if runs == 0 {
			t.Errorf("%s: no step runs resource template %s", d.where, tmpl.Name)
		}
	}
}

// decodeStrict decodes d into obj, failing on unknown or duplicate fields,
// then re-encodes obj and checks every value of d survived.
func decodeStrict(t *testing.T, d document, obj any) {
	t.Helper()
	if err := yaml.UnmarshalStrict(d.raw, obj); err != nil {
		t.Fatalf("%s: does not decode strictly into %T: %v", d.where, obj, err)
	}
	var want, got any
	if err := yaml.Unmarshal(d.raw, &want); err != nil {
		t.Fatal(err)
	}
	js, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(js, &got); err != nil {
		t.Fatal(err)
	}
	for _, diff := range lost("", want, got) {
		t.Errorf("%s: round trip through %T lost %s", d.where, obj, diff)
	}
}

// lost lists the paths of want whose value got does not hold. Lists must
// match element by element; maps may gain keys (defaults, status).
func lost(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return []string{fmt.Sprintf("%s (became %T)", path, got)}
		}
		var out []string
		for k, v := range w {
			out = append(out, lost(path+"."+k, v, g[k])...)
		}
		return out
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return []string{fmt.Sprintf("%s (list of %d became %v)", path, len(w), got)}
		}
		var out []string
		for i := range w {
			out = append(out, lost(fmt.Sprintf("%s[%d]", path, i), w[i], g[i])...)
		}
		return out
	default:
		if !reflect.DeepEqual(want, got) {
			return []string{fmt.Sprintf("%s = %v (became %v)", path, want, got)}
		}
		return nil
	}
}

// TestRoundTripCatchesMisspelledKeys proves the checks above can fail: a
// misspelled key is rejected by the strict decoder.
func TestRoundTripCatchesMisspelledKeys(t *testing.T) {
	bad := []byte("apiVersion: argoproj.io/v1alpha1\nkind: WorkflowTemplate\nmetadata: {name: x}\nspec:\n  entrypoint: dag\n  templates:\n  - name: dag\n    retryStrategy: {limt: 2}\n    suspend: {}\n")
	err := yaml.UnmarshalStrict(bad, &wfv1.WorkflowTemplate{})
	if err == nil || !strings.Contains(err.Error(), "limt") {
		t.Fatalf("strict decoding accepted a misspelled key: %v", err)
	}
	if diffs := lost("", map[string]any{"a": []any{1.0, "x"}}, map[string]any{"a": []any{1.0}}); len(diffs) != 1 {
		t.Fatalf("lost() missed a dropped list element: %v", diffs)
	}
}
