#!/usr/bin/env bash
# Install the Debian packages named as arguments that are not installed yet.
#   scripts/apt-install.sh shellcheck git
set -euo pipefail
missing=()
for pkg in "$@"; do
	dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
