#!/usr/bin/env bash
# Build mlc's release into dist/, reproducibly and without network beyond the
# Go module proxy (docs/release.md):
#
#   dist/mlc_VERSION_OS_ARCH.tar.gz    static binary (stripped) + README.md
#   dist/mlc_VERSION_OS_ARCH.cdx.json  CycloneDX SBOM of that binary
#   dist/mlc_VERSION_checksums.txt     sha256 of every file above
#   dist/mlc_VERSION_checksums.txt.sig its ECDSA P-256 signature (base64 DER),
#                                      when RELEASE_KEY names the private key
#   dist/image/                        OCI layout, tag VERSION: the mlc image
#                                      (linux platforms), built by mlc package
#   dist/image.digest                  that image's manifest digest
#
# VERSION (default: the nearest v* tag, else v0.0.0-dev), PLATFORMS (default:
# linux/amd64 linux/arm64 darwin/amd64 darwin/arm64). File times come from
# the commit (SOURCE_DATE_EPOCH), so the same commit gives the same bytes.
# DIST is the output directory (default dist/; emptied first).
# PUBLISH_IMAGE=REPO also pushes the image to REPO:VERSION, signed keyless
# (IMAGE_KEY=FILE: with that cosign key instead) with a signed SLSA
# provenance naming the commit (SOURCE_REPO@HEAD) and every archive and
# SBOM, and fails unless its digest is the layout's (release.yml).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

version=${VERSION:-$(git describe --tags --match 'v*' 2>/dev/null || echo v0.0.0-dev)}
platforms=${PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64}
epoch=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
dist=${DIST:-$repo/dist}
mkdir -p "$dist"
dist=$(cd "$dist" && pwd)
ldflags="-s -w -buildid= -X github.com/mlc-project/mlc/internal/version.Version=$version"

rm -rf "$dist"
mkdir -p "$dist/build"
sbom_tool=$(bash scripts/tools.sh cyclonedx-gomod)

# The mlc image first, for every linux platform built: the binary and
# Debian's static busybox for that architecture as /bin/sh (the engines
# run mlc steps as sh -ec "mlc ..."), CA certificates, nothing else; built
# by mlc package itself from scratch into an OCI layout, an index of one
# image per platform. The binaries shipped then carry its digest
# (version.ImageDigest), so the pipelines they compile run mlc by digest
# on any node; the image's own binaries cannot.
image_digest=
image_platforms=()
for p in $platforms; do
	if [[ $p == linux/* ]]; then image_platforms+=("$p"); fi
done
if ((${#image_platforms[@]} > 0)); then
	[[ -f /etc/ssl/certs/ca-certificates.crt ]] || bash scripts/apt-install.sh ca-certificates >&2
	package_args=()
	for p in "${image_platforms[@]}"; do
		arch=${p#linux/}
		root=$dist/build/image-$arch
		mkdir -p "$root/usr/local/bin" "$root/bin" "$root/etc/ssl/certs"
		CGO_ENABLED=0 GOOS=linux GOARCH=$arch go build -trimpath -buildvcs=false \
			-ldflags "$ldflags" -o "$root/usr/local/bin/mlc" ./cmd/mlc
		cp "$(bash scripts/busybox.sh "$arch")" "$root/bin/sh"
		cp /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
		package_args+=(--platform "$p" --platform-context "$p=$root")
	done
	# mlc package runs on this machine: the image's binary where it can run
	# here, else one built for here from the same source.
	host_mlc=$dist/build/image-$(go env GOHOSTARCH)/usr/local/bin/mlc
	if [[ $(go env GOHOSTOS) != linux || ! -x $host_mlc ]]; then
		host_mlc=$dist/build/host/mlc
		go build -trimpath -o "$host_mlc" ./cmd/mlc
	fi
	image() {
		"$host_mlc" package mlc "$1" --base scratch "${package_args[@]}" \
			--context "$dist/build/image-${image_platforms[0]#linux/}" --workdir / --user 65532 --entrypoint /usr/local/bin/mlc \
			--env PATH=/usr/local/bin:/bin --env SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt \
			--label "org.opencontainers.image.version=$version" \
			--label "org.opencontainers.image.source=https://github.com/mlc-project/mlc" \
			--cache-dir "" "${@:2}" >"$dist/build/package.log" || { cat "$dist/build/package.log" >&2; return 1; }
		sed -n 's/.*@\(sha256:[0-9a-f]\{64\}\).*/\1/p' "$dist/build/package.log" | head -n 1
	}
	image "oci:$dist/image:$version" >"$dist/image.digest"
	[[ -s "$dist/image.digest" ]] || { echo "release: no image digest" >&2; exit 1; }
	image_digest=$(cat "$dist/image.digest")
fi

for p in $platforms; do
	os=${p%/*} arch=${p#*/}
	name=mlc_${version}_${os}_${arch}
	dir=$dist/build/$name
	mkdir -p "$dir"
	echo "release: $name" >&2
	CGO_ENABLED=0 GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=false \
		-ldflags "$ldflags -X github.com/mlc-project/mlc/internal/version.ImageDigest=$image_digest" -o "$dir/mlc" ./cmd/mlc
	cp README.md "$dir/"
	# A tar with fixed owners, modes from git and the commit's time, sorted:
	# the same inputs give the same archive.
	tar --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" \
		--format=ustar -C "$dir" -cf - mlc README.md | gzip -9 -n >"$dist/$name.tar.gz"
	"$sbom_tool" bin -json -version "$version" -output "$dist/$name.cdx.json" "$dir/mlc"
	# The SBOM tool stamps its run's time and a random serial number; the
	# release's are the commit's, so it is reproducible too.
	python3 - "$dist/$name.cdx.json" "$epoch" "$name" <<'PY'
import datetime, json, sys, uuid
path, epoch, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
doc = json.load(open(path))
doc["serialNumber"] = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "mlc-release:" + name))
doc.setdefault("metadata", {})["timestamp"] = datetime.datetime.fromtimestamp(epoch, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
json.dump(doc, open(path, "w"), indent=2, sort_keys=True)
PY
done

(cd "$dist" && sha256sum -- *.tar.gz *.cdx.json >"mlc_${version}_checksums.txt")
if [[ -n "${RELEASE_KEY:-}" ]]; then
	openssl dgst -sha256 -sign "$RELEASE_KEY" "$dist/mlc_${version}_checksums.txt" |
		base64 -w0 >"$dist/mlc_${version}_checksums.txt.sig"
else
	echo "release: RELEASE_KEY is not set: checksums are not signed (generated jobs refuse an unsigned release)" >&2
fi

# Published last, when every file exists: the image's signed provenance
# names the commit built and, as further subjects, every archive and SBOM
# (the checksums file's list), so one keyless signature covers the release.
# Its labels are the layout's, so its digest must be the layout's too.
if [[ -n "${PUBLISH_IMAGE:-}" && -n "$image_digest" ]]; then
	[[ -z "$(git status --porcelain --untracked-files=no)" ]] ||
		{ echo "release: tracked files have changes: the provenance would name a commit that did not build this" >&2; exit 1; }
	sign_args=(--keyless)
	[[ -z "${IMAGE_KEY:-}" ]] || sign_args=(--key "$IMAGE_KEY")
	published=$(image "$PUBLISH_IMAGE:$version" --sign "${sign_args[@]}" \
		--from-source "${SOURCE_REPO:-https://github.com/mlc-project/mlc}@$(git rev-parse HEAD)" \
		--subjects-from "$dist/mlc_${version}_checksums.txt")
	[[ "$published" == "$image_digest" ]] ||
		{ echo "release: $PUBLISH_IMAGE:$version is $published, the layout's is $image_digest" >&2; exit 1; }
fi
rm -rf "$dist/build"
ls -l "$dist" >&2
