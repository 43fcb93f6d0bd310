// Package version holds the mlc version, stamped at build time with
// -ldflags "-X github.com/mlc-project/mlc/internal/version.Version=vX.Y.Z".
// Compiled pipelines install exactly this version, so a workflow never runs
// a different mlc than the one that generated it.
package version

// Version of this mlc build.
var Version = "v0.1.0"
