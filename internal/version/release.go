package version

import _ "embed"

// ReleaseKey is the public half of the key mlc's releases sign their
// checksums file with (ECDSA P-256 over SHA-256, base64 DER: what cosign
// sign-blob --key writes). Generated jobs verify the mlc they download with
// it unless the spec names another (mlc.install.public_key).
//
//go:embed release.pub
var ReleaseKey string

// ImageDigest is the digest of the mlc image of this release
// (ghcr.io/mlc-project/mlc:Version), stamped by make release into the
// binaries it ships, so compiled Kubernetes pipelines run mlc by digest.
// Empty in a build from source, and in the image itself, whose digest
// cannot be part of its own content.
var ImageDigest = ""

// ReleaseURL is where releases are published, one directory per version.
const ReleaseURL = "https://github.com/mlc-project/mlc/releases/download"
