package gitops

import (
	"bytes"
	"errors"
	"io"
	"testing"

	"go.yaml.in/yaml/v3"
)

// FuzzSetKustomizeImage: an environment repository's kustomization is
// input mlc does not control. Whatever it holds, the edit never panics,
// and an edit that succeeds is YAML again whose images: entry names the
// digest.
func FuzzSetKustomizeImage(f *testing.F) {
	for _, seed := range []string{
		"images:\n- name: api\n  newTag: v1\n",
		"images:\n  - name: api # c\n    newName: \"old\"\n    digest: 'sha256:00'\n",
		"resources: [a.yaml]\nimages: [{name: api, newTag: v1}]\n",
		"resources:\n- a.yaml",
		"# only a comment\n",
		"images: {}\n",
		"images:\n- name: other\n  newName: x\nresources: [a.yaml]\n",
		"a: &x {b: 1}\nimages:\n- *x\n",
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := setKustomizeImage(src, "api", testRepo1, testDigest)
		if err != nil {
			return
		}
		docs, err := decodeAll(out)
		if err != nil || len(docs) == 0 {
			t.Fatalf("edit of %q is not YAML: %v\n%s", src, err, out)
		}
		k, _ := docs[0].(map[string]any)
		images, _ := k["images"].([]any)
		found := 0
		for _, item := range images {
			img, ok := item.(map[string]any)
			if !ok || img["name"] != "api" {
				continue
			}
			found++
			if _, tagged := img["newTag"]; img["newName"] != testRepo1 || img["digest"] != testDigest || tagged {
				t.Fatalf("edit of %q: entry %v\n%s", src, img, out)
			}
		}
		if found != 1 {
			t.Fatalf("edit of %q: %d api entries\n%s", src, found, out)
		}
	})
}

// FuzzSetField: a field edit of any multi-document YAML either fails or
// leaves YAML whose field holds exactly the value.
func FuzzSetField(f *testing.F) {
	for _, seed := range []string{
		"kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: api\n        image: old:v1 # c\n",
		"a: 1\n---\nspec: {template: {spec: {containers: [{image: \"x\"}]}}}\n",
		"spec:\n  template:\n    spec:\n      containers:\n      - image: |\n          old\n",
	} {
		f.Add([]byte(seed))
	}
	const path, value = "spec.template.spec.containers[0].image", testRepo1 + "@" + testDigest
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := setField(src, path, value)
		if err != nil {
			return
		}
		dec := yaml.NewDecoder(bytes.NewReader(out))
		set := 0
		for {
			var node yaml.Node
			err := dec.Decode(&node)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("edit of %q is not YAML: %v\n%s", src, err, out)
			}
			if len(node.Content) == 0 || node.Content[0].Kind != yaml.MappingNode {
				continue // a scalar or empty document, left as it was: no field to set
			}
			var doc struct {
				Spec struct {
					Template struct {
						Spec struct {
							Containers []struct {
								Image *string `yaml:"image"`
							} `yaml:"containers"`
						} `yaml:"spec"`
					} `yaml:"template"`
				} `yaml:"spec"`
			}
			if err := node.Decode(&doc); err != nil {
				continue // a mapping of another shape (spec: 0): not a workload, left alone
			}
			if c := doc.Spec.Template.Spec.Containers; len(c) > 0 && c[0].Image != nil && *c[0].Image == value {
				set++
			}
		}
		if set == 0 {
			t.Fatalf("edit of %q did not set the field\n%s", src, out)
		}
	})
}
