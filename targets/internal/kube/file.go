package kube

import (
	"bytes"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
)

// MaxObjectBytes is the largest object Kubernetes stores: etcd refuses
// requests over 1.5 MiB (--max-request-bytes), and the API server's own
// framing takes some of that, so a Pipeline or WorkflowTemplate near the
// limit would apply in one cluster and not in another.
const MaxObjectBytes = 1<<20 + 1<<19 - 64<<10

// File is a generated manifest file: the header targets/writer recognises
// its files by, then the objects as a multi-document YAML stream. An object
// Kubernetes could not store is refused, never written.
func File(p *ir.Pipeline, objects ...any) ([]byte, error) {
	header, err := targets.Header(p)
	if err != nil {
		return nil, err
	}
	w := yamlout.NewWriter(header)
	for _, o := range objects {
		start := len(w.Bytes())
		if err := w.Value(o); err != nil {
			return nil, err
		}
		if doc := bytes.TrimPrefix(w.Bytes()[start:], []byte("---\n")); len(doc) > MaxObjectBytes {
			// kind and metadata come before spec: read only them.
			head, _, _ := bytes.Cut(doc, []byte("\nspec:"))
			var meta struct {
				Kind     string
				Metadata struct{ Name string }
			}
			_ = yaml.Unmarshal(head, &meta)
			return nil, targets.TooLarge(fmt.Sprintf("the %s %s would be %d KiB, more than the %d KiB Kubernetes stores in one object (etcd's request limit)",
				meta.Kind, meta.Metadata.Name, len(doc)>>10, MaxObjectBytes>>10))
		}
	}
	return w.Close(), nil
}

// Document is one object as YAML, for a manifest another object carries
// (a ConfigMap value, an Argo resource template).
func Document(object any) (string, error) {
	data, err := yamlout.EncodeValues("", object)
	return string(data), err
}
