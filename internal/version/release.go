package version

import _ "embed"

// ReleaseKey is the public half of the key mlc's releases sign their
// checksums file with (ECDSA P-256 over SHA-256, base64 DER: what cosign
// sign-blob --key writes). Generated jobs verify the mlc they download with
// it unless the spec names another (mlc.install.public_key).
//
//go:embed release.pub
var ReleaseKey string

// ReleaseURL is where releases are published, one directory per version.
const ReleaseURL = "https://github.com/mlc-project/mlc/releases/download"
