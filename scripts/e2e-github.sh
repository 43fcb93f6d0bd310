#!/usr/bin/env bash
# make e2e-github: run every example's generated GitHub Actions workflows,
# unmodified, under nektos/act in host mode on this machine (docs/e2e.md).
#
#   bash scripts/e2e-github.sh              # every example
#   SPECS='dir ...' bash scripts/e2e-github.sh
#
# Phase 1 (Go module proxy reachable) builds act, the registry, mlc and the
# file GOPROXY serving this commit of mlc, and installs mlc through it once
# so the module cache holds what the jobs' `go install` needs. Phase 2 runs
# in a network namespace of its own with only loopback: the registry, the
# deployment service and act, whose jobs reach nothing else. The report is
# $E2E_WORK/report.md; its last line is "e2e: N passed, M failed".
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
work=${E2E_WORK:-$root/.mlc/e2e/github}
specs=${SPECS:-examples/credit-risk examples/iris-duo examples/minimal}
module=github.com/mlc-project/mlc

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

if [[ "${1:-}" != --inside ]]; then
	cd "$root"
	rm -rf "$work"
	mkdir -p "$work/bin" "$work/timings"
	t=$(now)
	MLC_TOOLS_CACHE=$HOME/.cache/mlc-e2e bash scripts/tools.sh act >"$work/act.path"
	bash scripts/tools.sh registry >"$work/registry.path"
	echo "tools $(elapsed "$t")" >>"$work/timings/phases"

	t=$(now)
	# A version of its own per commit: the module cache never serves an
	# older build under the same version.
	version=v0.1.0-e2e.$(git rev-parse --short=12 HEAD)
	if [[ -n "$(git status --porcelain -- . ':!.mlc')" ]]; then
		echo "e2e-github: uncommitted changes are not in the served module (it is built from HEAD)" >&2
	fi
	go build -ldflags "-X $module/internal/version.Version=$version" -o "$work/bin/mlc" ./cmd/mlc
	(cd e2e && go build -o "$work/bin/" ./cmd/goproxy ./cmd/cosignkey)
	"$work/bin/goproxy" -repo "$root" -module "$module" -version "$version" -out "$work/goproxy"
	echo "$version" >"$work/version"
	echo "build $(elapsed "$t")" >>"$work/timings/phases"

	# mlc's release of this commit, as make release builds it, signed with a
	# key of this run: the jobs of specs that install the release download
	# it from a loopback server and verify it with that key.
	t=$(now)
	openssl ecparam -name prime256v1 -genkey -noout -out "$work/release.key" 2>/dev/null
	openssl ec -in "$work/release.key" -pubout -out "$work/release.pub" 2>/dev/null
	DIST="$work/releases/$version" PLATFORMS=linux/amd64 VERSION=$version RELEASE_KEY="$work/release.key" \
		bash scripts/release.sh 2>"$work/release.log" || { cat "$work/release.log" >&2; exit 1; }
	echo "release $(elapsed "$t")" >>"$work/timings/phases"

	t=$(now)
	gomodcache=$(go env GOMODCACHE) goproxy=$(go env GOPROXY)
	GOPROXY="file://$work/goproxy,$goproxy" GONOSUMDB=$module GOPATH="$work/prefetch" \
		GOMODCACHE="$gomodcache" GOFLAGS=-modcacherw go install "$module/cmd/mlc@$version"
	echo "prefetch $(elapsed "$t")" >>"$work/timings/phases"

	export E2E_SPECS=$specs E2E_WORK=$work
	exec unshare --net -- bash "$0" --inside
fi

# ---- phase 2: loopback only -------------------------------------------------
ip link set lo up
cd "$root"
version=$(cat "$work/version")
act=$(cat "$work/act.path")
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# the module cache keeps no e2e version of mlc
	local cache
	cache=$(go env GOMODCACHE)
	chmod -R u+w "$cache/$module@$version" 2>/dev/null || true
	rm -rf "$cache/$module@$version" "$cache/cache/download/$module/@v/$version".*
}
trap cleanup EXIT

# shellcheck source=scripts/registry.sh
source scripts/registry.sh
registry_start "$(cat "$work/registry.path")" "$work/registry"
pids+=("$registry_pid")

# The release server: what https://github.com/mlc-project/mlc/releases/download
# is to the jobs (the netns is ours alone, so the port is free).
release_addr=127.0.0.1:8931
python3 -m http.server --bind 127.0.0.1 --directory "$work/releases" 8931 >"$work/releases.log" 2>&1 &
pids+=("$!")
for _ in $(seq 100); do curl -fs "http://$release_addr/" >/dev/null && break; sleep 0.1; done

mkdir -p "$work/deploy" "$work/image-bin" "$work/shims"
MLC_PLAIN_HTTP=true python3 scripts/e2e/deploy_server.py "$work/deploy" "$work/bin/mlc" >"$work/deploy/ready" 2>"$work/deploy/server.log" &
pids+=("$!")
for _ in $(seq 100); do grep -q ready "$work/deploy/ready" && break; sleep 0.1; done
deploy_addr=$(sed -n 's/^ready //p' "$work/deploy/ready")
[[ -n "$deploy_addr" ]] || { echo "e2e-github: the deployment service did not start" >&2; exit 1; }

# The runner image act stands in for: git, Go, jq, python3, and the docker
# and gh stand-ins (scripts/e2e/). "python" in an image is the host's python3.
ln -sf "$(python3 -c 'import sys; print(sys.executable)')" "$work/image-bin/python"
ln -sf "$(python3 -c 'import sys; print(sys.executable)')" "$work/image-bin/python3"
cp scripts/e2e/docker scripts/e2e/gh "$work/shims/"
export E2E_IMAGE_PATH="$work/image-bin:/usr/local/bin:/usr/bin:/bin"
export PATH="$work/shims:$PATH"
export E2E_GH_LOG="$work/gh.log"
: >"$E2E_GH_LOG"
# The stand-in refuses what it does not understand (exit 125), never guesses.
rc=0
docker ps >/dev/null 2>&1 || rc=$?
[[ $rc -eq 125 ]] || { echo "e2e-github: docker on PATH is not the e2e stand-in (docker ps exit $rc)" >&2; exit 1; }

# Go in the jobs: mlc from the file proxy, everything else from the module
# cache phase 1 filled (it was verified on download, hence GOSUMDB=off).
# Go's caches and settings stay where they are though act gets XDG dirs of its own.
gomodcache=$(go env GOMODCACHE) gocache=$(go env GOCACHE) goenv=$(go env GOENV)
export GOPATH="$work/gopath" GOMODCACHE="$gomodcache" GOCACHE="$gocache" GOENV="$goenv"
export GOFLAGS=-modcacherw GOTOOLCHAIN=local GOSUMDB=off
export GOPROXY="file://$work/goproxy,file://$gomodcache/cache/download"
# mlc in the jobs: the loopback registry speaks HTTP; data from fixtures.
export MLC_PLAIN_HTTP=true MLC_OFFLINE=true MLC_FIXTURES=fixtures
# act: no version check, its own config and cache directories.
export ACT_DISABLE_VERSION_CHECK=1 XDG_CONFIG_HOME="$work/act-config" XDG_CACHE_HOME="$work/act-cache"
mkdir -p "$XDG_CONFIG_HOME" "$XDG_CACHE_HOME"
# git in the jobs: https://github.com/OWNER/REPO is the bare repository the
# e2e serves from disk; the workflows' checkout fetches from it unchanged.
export GIT_CONFIG_GLOBAL="$work/gitconfig"
git config --global url."file://$work/server/".insteadOf https://github.com/
git config --global protocol.file.allow always
git config --global uploadpack.allowAnySHA1InWant true
git config --global user.name e2e
git config --global user.email e2e@example.invalid
git config --global init.defaultBranch main

mkdir -p "$work/keys"
password=e2e-password
COSIGN_PASSWORD=$password "$work/bin/cosignkey" "$work/keys"
python3 - "$work/keys/cosign.key" "$password" "http://$deploy_addr/webhook" >"$work/secrets.env" <<'PY'
import sys
key, password, webhook = sys.argv[1:]
esc = open(key).read().replace("\n", "\\n")
print(f'COSIGN_PRIVATE_KEY="{esc}"')
print(f"COSIGN_PASSWORD={password}")
print(f"SLACK_WEBHOOK={webhook}")
print("AWS_ACCESS_KEY_ID=unused-with-fixtures")
print("AWS_SECRET_ACCESS_KEY=unused-with-fixtures")
print("GITHUB_TOKEN=e2e-token")
PY
: >"$work/no-secrets.env"

# act runs one workflow file for one event; its --json log goes to LOG.
act_run() {
	local repo=$1 file=$2 event=$3 secrets=$4 log=$5
	local eventfile
	eventfile="$work/events/$(basename "$log" .json).event.json"
	mkdir -p "$work/events"
	case "$event" in
	pull_request) echo '{"number": 1, "pull_request": {"number": 1, "head": {"ref": "feature"}, "base": {"ref": "main"}}}' ;;
	push)
		# E2E_BEFORE: the commit the push went on (GitHub's event.before).
		if [[ -n ${E2E_BEFORE:-} ]]; then
			printf '{"ref": "refs/heads/main", "before": "%s"}\n' "$E2E_BEFORE"
		else
			echo '{"ref": "refs/heads/main"}'
		fi ;;
	schedule) echo '{"schedule": "e2e"}' ;;
	workflow_dispatch) echo '{"inputs": {}}' ;;
	esac >"$eventfile"
	local t rc=0
	t=$(now)
	(cd "$repo" && "$act" "$event" -W ".github/workflows/$file" -e "$eventfile" \
		-P ubuntu-24.04=-self-hosted -P self-hosted=-self-hosted -P gpu=-self-hosted -P nvidia-l4=-self-hosted \
		--action-offline-mode --no-cache-server --cache-server-addr 127.0.0.1 --artifact-server-addr 127.0.0.1 \
		--action-cache-path "$XDG_CACHE_HOME/act" --secret-file "$secrets" --env-file /dev/null --var-file /dev/null \
		--defaultbranch main --json) >"$log" 2>"$log.stderr" || rc=$?
	echo "$(basename "$log" .json) $rc $(elapsed "$t")" >>"$work/timings/runs"
}

mkdir -p "$work/logs"
for spec in $E2E_SPECS; do
	name=$(basename "$spec")
	repo="$work/repos/$name"
	mkdir -p "$repo/$(dirname "$spec")"
	cp -r "$spec" "$repo/$spec"
	rm -rf "$repo/$spec/.mlc"
	cp "$work/keys/cosign.pub" "$repo/$spec/cosign.pub"
	git -C "$repo" init -q
	tags=(-t e2e_github -t "e2e_registry=$registry_addr/e2e")
	if grep -qs '@tag(e2e_deploy)' "$spec"/*.cue; then tags+=(-t "e2e_deploy=$deploy_addr"); fi
	if grep -qs '@tag(e2e_release)' "$spec"/*.cue; then
		tags+=(-t "e2e_release=http://$release_addr")
		cp "$work/release.pub" "$repo/$spec/release.pub"
	fi
	"$work/bin/mlc" compile "$repo/$spec" --target github "${tags[@]}" >/dev/null
	git -C "$repo" add -A
	git -C "$repo" commit -q -m "e2e: $name with its generated workflows"
	git -C "$repo" remote add origin "https://github.com/acme/$name.git"
	mkdir -p "$work/server/acme"
	git clone -q --bare "$repo" "$work/server/acme/$name.git"

	# In the order a team meets them: batch scores with the model the
	# delivery put in production.
	# A split spec (split: "model") has one ci, delivery and batch workflow
	# per group of models: $name-delivery-MODEL.yml, logged as kind
	# delivery-MODEL.
	for wf in "$repo"/.github/workflows/$name-{ci,ci-*,delivery,delivery-*,batch,batch-*,monitor}.yml; do
		[[ -f $wf ]] || continue
		file=$(basename "$wf")
		kind=${file#"$name"-}
		kind=${kind%.yml}
		case "$kind" in
		ci | ci-*) act_run "$repo" "$file" pull_request "$work/no-secrets.env" "$work/logs/$name.$kind.json" ;;
		delivery | delivery-*)
			if grep -q '^  push:' "$wf"; then ev=push; else ev=workflow_dispatch; fi
			act_run "$repo" "$file" "$ev" "$work/secrets.env" "$work/logs/$name.$kind.json" ;;
		batch | batch-*) act_run "$repo" "$file" workflow_dispatch "$work/secrets.env" "$work/logs/$name.$kind.json" ;;
		monitor)
			act_run "$repo" "$file" schedule "$work/secrets.env" "$work/logs/$name.monitor.json"
			# The monitor asked (gh workflow run) for a retraining run: start it.
			if read -r retrain ref <"$E2E_GH_LOG"; then
				act_run "$repo" "$retrain" workflow_dispatch "$work/secrets.env" "$work/logs/$name.retrain.json"
				echo "$name $retrain $ref" >>"$work/retrains"
				: >"$E2E_GH_LOG"
			fi ;;
		esac
	done

	# Change-aware delivery: a change under service/ only, pushed on top of
	# what ran above, rebuilds and redeploys the app with the model
	# production runs, and trains nothing. The repository is put back
	# afterwards: the report checks the other runs at their commit.
	delivery=$repo/.github/workflows/$name-delivery.yml
	if [[ -d $repo/$spec/service ]] && grep -q '^  push:' "$delivery"; then
		before=$(git -C "$repo" rev-parse HEAD)
		model_repo=e2e/$name-model-$(sed -n 's/.*--else .*-model-\([a-z0-9-]*\):.*/\1/p' "$delivery" | head -n1)
		curl -fsSI -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$registry_addr/v2/$model_repo/manifests/production" |
			tr -d '\r' | sed -n 's/^[Dd]ocker-[Cc]ontent-[Dd]igest: //p' >"$work/service.production"
		echo "# e2e: a change to the service only" >>"$repo/$spec/service/app.py"
		git -C "$repo" commit -qam "e2e: change the service only"
		git -C "$repo" push -q "$work/server/acme/$name.git" HEAD:main
		git -C "$repo" rev-parse HEAD >"$work/service.revision"
		echo "$model_repo" >"$work/service.model"
		E2E_BEFORE=$before act_run "$repo" "$name-delivery.yml" push "$work/secrets.env" "$work/logs/$name.service.json"
		git -C "$repo" reset -q --hard "$before"
	fi
done

python3 scripts/e2e/github_report.py "$work" "$registry_addr" | tee "$work/report.md"
tail -n1 "$work/report.md" | grep -q ' 0 failed$'
