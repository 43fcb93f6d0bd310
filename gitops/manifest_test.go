package gitops

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	testRepo1  = "ghcr.io/acme/ml/api"
	testDigest = "sha256:1111111111111111111111111111111111111111111111111111111111111111"
)

func TestSetKustomizeImage(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"entry with a tag", `# staging
resources:
- deployment.yaml
images:
- name: api # the app
  newTag: v1
- name: other
  newName: x
`, `# staging
resources:
- deployment.yaml
images:
- name: api # the app
  newName: ghcr.io/acme/ml/api
  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
- name: other
  newName: x
`},
		{"entry with a digest, indented list, quoted", `images:
  - name: api
    newName: "old/api"
    digest: 'sha256:00'
`, `images:
  - name: api
    newName: ghcr.io/acme/ml/api
    digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
`},
		{"no entry", `images:
  - name: other
    newName: x
resources: [a.yaml]
`, `images:
  - name: other
    newName: x
  - name: api
    newName: ghcr.io/acme/ml/api
    digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
resources: [a.yaml]
`},
		{"no images", "resources:\n- a.yaml", `resources:
- a.yaml
images:
- name: api
  newName: ghcr.io/acme/ml/api
  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
`},
		{"empty images", "images: []\nresources: [a]\n", `images:
- name: api
  newName: ghcr.io/acme/ml/api
  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
resources: [a]
`},
		{"images without a value", "images:\n", `images:
- name: api
  newName: ghcr.io/acme/ml/api
  digest: sha256:1111111111111111111111111111111111111111111111111111111111111111
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := setKustomizeImage([]byte(c.in), "api", testRepo1, testDigest)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != c.want {
				t.Errorf("got\n%s\nwant\n%s", got, c.want)
			}
			var back any
			if err := yaml.Unmarshal(got, &back); err != nil {
				t.Errorf("result is not YAML: %v", err)
			}
		})
	}
	for _, bad := range []string{"images: {a: b}\n", "- a\n", "images:\n- name: api\n  digest: |\n    x\n"} {
		if _, err := setKustomizeImage([]byte(bad), "api", testRepo1, testDigest); err == nil {
			t.Errorf("%q: no error", bad)
		}
	}
}

func TestSetField(t *testing.T) {
	in := `apiVersion: v1
kind: Service
metadata: {name: api}
---
apiVersion: apps/v1
kind: Deployment
spec:
  template:
    spec:
      containers:
      - name: api
        image: old:v1 # set by mlc deploy
`
	got, err := setField([]byte(in), "spec.template.spec.containers[0].image", testRepo1+"@"+testDigest)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Replace(in, "old:v1", testRepo1+"@"+testDigest, 1)
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for path, msg := range map[string]string{
		"spec.template.spec.containers[1].image": "no document has",
		"spec.template":                          "want a single value",
		"spec..x":                                "want keys and list indexes",
	} {
		if _, err := setField([]byte(in), path, "x"); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", path, err, msg)
		}
	}
}

func TestScalar(t *testing.T) {
	for in, want := range map[string]string{"a/b@sha256:00": "a/b@sha256:00", "true": `"true"`, "1.0": `"1.0"`, "a b": `"a b"`, "": `""`} {
		if got := scalar(in); got != want {
			t.Errorf("scalar(%q) = %s, want %s", in, got, want)
		}
	}
}
