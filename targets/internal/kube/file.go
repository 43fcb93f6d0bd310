package kube

import (
	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/targets"
)

// File is a generated manifest file: the header targets/writer recognises
// its files by, then the objects as a multi-document YAML stream.
func File(p *ir.Pipeline, objects ...any) ([]byte, error) {
	header, err := targets.Header(p)
	if err != nil {
		return nil, err
	}
	return yamlout.EncodeValues(header, objects...)
}

// Document is one object as YAML, for a manifest another object carries
// (a ConfigMap value, an Argo resource template).
func Document(object any) (string, error) {
	data, err := yamlout.EncodeValues("", object)
	return string(data), err
}
