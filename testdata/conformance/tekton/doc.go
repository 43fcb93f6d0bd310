// Package conformance checks mlc's generated Tekton manifests against
// Tekton's own v1 Go types and validation. It is a separate module so the
// mlc binary never links github.com/tektoncd/pipeline.
package conformance
