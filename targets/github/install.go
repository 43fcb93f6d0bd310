package github

import (
	"github.com/mlc-project/mlc/internal/yamlout"
	"github.com/mlc-project/mlc/ir"
)

// mlcModule is what jobs build mlc from with install.from: source. The
// workflows use no action (uses:) at all: each step is a script of its own,
// so nothing but the runner, git, Go and mlc runs with the job's token.
const mlcModule = "github.com/mlc-project/mlc/cmd/mlc"

// installEnv is the workflow's env that installs the very mlc version that
// generated it: the release archive for the runner, verified, or built
// from source with the runner's Go (Go 1.21+ fetches the toolchain mlc's
// go.mod asks for). The script is written once per workflow, not once per
// job: it was two fifths of a large workflow, and GitHub starts no
// workflow file over 500 KB.
func installEnv(p *ir.Pipeline) *yamlout.Map {
	env := yamlout.NewMap().Set("MLC_INSTALL_VERSION", p.MLCVersion)
	run := "go install " + mlcModule + "@\"$MLC_INSTALL_VERSION\"\necho \"$(go env GOPATH)/bin\" >> \"$GITHUB_PATH\"\n"
	if !p.MLCInstall.FromSource {
		env.Set("MLC_RELEASE_URL", p.MLCInstall.URL).Set("MLC_RELEASE_KEY", p.MLCInstall.PublicKey)
		run = installRelease
	}
	return env.Set("MLC_INSTALL", run)
}

// installRun is a job's step that runs the workflow's install script
// (installEnv); bash -e, so no check in it can be skipped.
const installRun = `bash -ec "$MLC_INSTALL"`

func installMLC(p *ir.Pipeline) []*yamlout.Map {
	return []*yamlout.Map{yamlout.NewMap().Set("name", "Install mlc "+p.MLCVersion).Set("run", installRun)}
}

// installRelease downloads the release archive for the runner, checks the
// signature of the release's checksums file with the key in the workflow,
// then the archive against that file, and only then unpacks mlc: a step of
// the job's script (bash -e), so no check can be skipped. The file names are
// what scripts/release.sh writes; the signature is what cosign sign-blob
// --key writes (base64 DER ECDSA over SHA-256).
const installRelease = `case "$RUNNER_OS/$RUNNER_ARCH" in
  Linux/X64) platform=linux_amd64 ;;
  Linux/ARM64) platform=linux_arm64 ;;
  macOS/X64) platform=darwin_amd64 ;;
  macOS/ARM64) platform=darwin_arm64 ;;
  *) echo "::error::mlc has no release for $RUNNER_OS/$RUNNER_ARCH: set mlc.install.from to source"; exit 1 ;;
esac
dir="$RUNNER_TEMP/mlc-$MLC_INSTALL_VERSION-$platform"
rm -rf "$dir"
mkdir -p "$dir"
cd "$dir"
sums="mlc_${MLC_INSTALL_VERSION}_checksums.txt"
archive="mlc_${MLC_INSTALL_VERSION}_${platform}.tar.gz"
for f in "$sums" "$sums.sig" "$archive"; do
  curl -fsSL --retry 3 -o "$f" "$MLC_RELEASE_URL/$MLC_INSTALL_VERSION/$f"
done
printf '%s\n' "$MLC_RELEASE_KEY" > release.pub
openssl base64 -d -A -in "$sums.sig" -out sums.sig.der
if ! openssl dgst -sha256 -verify release.pub -signature sums.sig.der "$sums" >/dev/null; then
  echo "::error::$sums is not signed by the release key: refusing to run this mlc"
  exit 1
fi
awk -v f="$archive" '$2 == f' "$sums" > archive.sum
if [ ! -s archive.sum ] || ! shasum -a 256 -c archive.sum >/dev/null; then
  echo "::error::$archive does not match the signed checksums: refusing to run it"
  exit 1
fi
tar -xzf "$archive" mlc
rm -f "$archive" "$sums.sig" sums.sig.der release.pub archive.sum
./mlc --version
echo "$dir" >> "$GITHUB_PATH"
`
