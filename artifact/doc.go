// Package artifact stores datasets, models and code as OCI 1.1 artifacts,
// in a registry or an OCI image layout directory, addressed by digest.
//
// ParseRef reads a reference; Open returns the Store it lives in (backends
// in artifact/layout and artifact/remote). Push streams a directory into a
// store (one layer per large file, small files packed in reproducible
// tars, CNCF ModelPack media types for models, git revision and commit
// time as annotations, so the same content gives the same digest); Pull
// verifies and unpacks an artifact atomically; Promote re-tags by digest.
// Signing and lineage build on the Store interface.
package artifact
