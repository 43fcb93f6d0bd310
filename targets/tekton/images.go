package tekton

// Helper images mlc adds to a pipeline, pinned by digest so a run never
// pulls something other than what was reviewed. Update tag and digest
// together (`crane digest IMAGE:TAG`) and regenerate the golden files.
const (
	// gitImage clones the repository into the source workspace.
	gitImage = "docker.io/alpine/git:v2.49.1@sha256:c0280cf9572316299b08544065d3bf35db65043d5e3963982ec50647d2746e26"
	// buildkitImage builds and pushes container images without a daemon or
	// privileges (BuildKit rootless, see its docs/rootless.md).
	buildkitImage = "docker.io/moby/buildkit:v0.33.0-rootless@sha256:80b15f0735e87bab7bf59ec4d695dfb4a7cfb25521cf56dc75d6f256285b63ef"
	// kubectlImage creates PipelineRuns for schedules and triggers; it holds
	// only /bin/kubectl, no shell.
	kubectlImage = "registry.k8s.io/kubectl:v1.34.1@sha256:59bafa07ff3a6d4b417e7633ddb9d79a9606ca98bf64bac080b3e65748669250"
	// shellKubectlImage runs the concurrency queue, a shell loop around
	// kubectl (Alpine with kubectl).
	shellKubectlImage = "docker.io/alpine/k8s:1.34.1@sha256:ec714df3813b5405292860f8a1c55c5727bf8c33c88992f1e981efad8065547f"
)
