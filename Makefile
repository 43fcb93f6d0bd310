# mlc: continuous delivery for machine learning.
#   make demo   run the credit-risk example end to end on this machine
#   make test   unit, golden, validator and fuzz-seed tests (what CI runs)
#   make bench  benchmarks: compile speed, artifacts, gates (figures vs peer tools)
#   make e2e    every example on real Argo Workflows and Tekton, on a single-node Kubernetes (docs/e2e.md)
#   make e2e-cluster  a real single-node Kubernetes up, smoke-tested, torn down (root)
#   make e2e-github  every example's GitHub workflows run under act (docs/e2e.md)
#   make release  mlc's own release into dist/: binaries, checksums, SBOMs, image (docs/release.md)

GO      ?= go
BIN     ?= bin/mlc
VERSION ?= v0.1.0
LDFLAGS := -X github.com/mlc-project/mlc/internal/version.Version=$(VERSION)

.PHONY: release build test lint-scripts unit conformance interop fuzz e2e e2e-cluster e2e-github demo bench bench-compile fmt vet clean

# VERSION=vX.Y.Z, PLATFORMS='linux/amd64 ...', RELEASE_KEY=ec-private.pem
release:
	bash scripts/release.sh

build:
	$(GO) build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/mlc

test: vet unit conformance

vet: lint-scripts
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); echo 'gofmt: files above need formatting'; exit 1; }
	$(GO) vet ./...
	cd e2e && $(GO) vet ./...

# ShellCheck over the project's scripts: required in CI, skipped with a
# note where it is not installed (scripts/apt-install.sh shellcheck).
lint-scripts:
	@if command -v shellcheck >/dev/null; then shellcheck -x scripts/*.sh scripts/e2e/*.sh scripts/e2e/docker scripts/e2e/gh .ci/run; \
	elif [ -n "$$CI" ]; then echo 'lint-scripts: shellcheck is not installed'; exit 1; \
	else echo 'lint-scripts: shellcheck not installed, scripts not linted'; fi

unit:
	$(GO) test ./...
	cd e2e && $(GO) test ./...

# The engines' own validation code lives in nested modules, so mlc itself
# does not link Kubernetes, Tekton or Argo.
conformance:
	@for s in scripts/conformance-*.sh; do echo "== $$s"; bash "$$s" || exit 1; done

# Every fuzz target for FUZZTIME seconds each (CI: 15; before a release,
# run longer: make fuzz FUZZTIME=600). Failing inputs land in testdata/fuzz/.
FUZZTIME ?= 15
fuzz:
	bash scripts/fuzz.sh $(FUZZTIME)

# Interop with the stock cosign and oras CLIs against a real registry server.
interop:
	bash scripts/interop.sh

# The compiled pipelines on real engines: cluster up, engines, runs, report,
# cluster down (docs/e2e.md). SPECS='dir ...' and TARGETS='argo tekton'
# choose what runs. Needs root.
e2e:
	SPECS='$(SPECS)' TARGETS='$(TARGETS)' bash scripts/e2e/e2e.sh

# The e2e cluster alone (docs/e2e.md): up, pods, a Service, the loopback
# registry, then down with nothing left behind. Needs root.
e2e-cluster:
	bash scripts/e2e/smoke.sh

# The credit-risk pipeline end to end on this machine (docs/run.md), then
# every example compiled for every engine into .mlc/demo.
demo: build
	MLC_BIN=$(BIN) bash scripts/demo.sh
	@for ex in examples/*/; do \
	  for t in github tekton argo; do \
	    $(BIN) compile $$ex --target $$t --out .mlc/demo/$$(basename $$ex)/$$t >/dev/null || exit 1; \
	  done; \
	done
	@echo "compiled every example for github, tekton and argo into .mlc/demo/"

# The generated GitHub Actions workflows of every example (or SPECS='dir ...'),
# unmodified, under nektos/act in host mode; report in .mlc/e2e/github/report.md.
e2e-github:
	SPECS='$(SPECS)' bash scripts/e2e-github.sh

# Every figure next to its peer tool, in the same run (docs/bench.md);
# LIMITS=0 reports without failing on a missed goal.
bench:
	bash scripts/apt-install.sh time python3-pandas python3-scipy curl
	LIMITS=0 bash scripts/bench-compile.sh
	LIMITS=0 bash scripts/bench-artifacts.sh
	bash scripts/bench-gates.sh
	LIMITS=0 bash scripts/bench-drift.sh

# mlc compile against cue eval at 100, 1000 and 10,000 models (MODELS=...);
# profile with the Go benchmark: go test ./bench -bench . -cpuprofile cpu.prof
bench-compile:
	bash scripts/apt-install.sh time
	bash scripts/bench-compile.sh

fmt:
	gofmt -w $$(git ls-files '*.go')

clean:
	rm -rf bin .mlc
