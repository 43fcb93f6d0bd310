// Package conformance checks the manifests mlc's Argo target generates
// against Argo Workflows' own Go types and validation (v3.7.0), in a module
// of its own so the mlc binary never links Argo or Kubernetes.
package conformance
