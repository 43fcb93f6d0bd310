// Package lineage links a model to the dataset and code it was made from:
// a signed in-toto statement with a SLSA v1 provenance predicate attached to
// the model (cosign's attestation format), and the verified chain read back.
package lineage

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/url"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	slsa "github.com/in-toto/in-toto-golang/in_toto/slsa_provenance/v1"

	"github.com/mlc-project/mlc/artifact/sign"
)

// PredicateType is SLSA provenance v1.
const PredicateType = slsa.PredicateSLSAProvenance

// BuildType names what mlc attests: training a model from inputs.
const BuildType = "https://github.com/mlc-project/mlc/lineage/train/v1"

// Input is an artifact something was made from, addressed by digest.
type Input struct {
	Role     string  // "model", "dataset" or "code"
	Location string  // its store: a repository, or oci:PATH
	Digest   v1.Hash // its manifest digest
}

// Ref is the input's reference by digest, LOCATION@sha256:<hex>.
func (in Input) Ref() string { return in.Location + "@" + in.Digest.String() }

// Source is a git commit something was built from, recorded as SLSA
// recommends: uri git+REPO@COMMIT, digest {gitCommit: COMMIT}. It is a leaf
// of a chain: a commit carries no attestation.
type Source struct {
	Repo   string // https://github.com/OWNER/NAME
	Commit string // the full hex object name
}

// GitCommit is the SLSA digest algorithm of a git commit.
const GitCommit = "gitCommit"

// ParseSource reads REPO@COMMIT (git+ optional): a repository URL and a
// full commit hash, 40 or 64 hex digits.
func ParseSource(s string) (Source, error) {
	repo, commit, ok := strings.Cut(strings.TrimPrefix(s, "git+"), "@")
	if !ok || repo == "" || (len(commit) != 40 && len(commit) != 64) || strings.Trim(commit, "0123456789abcdef") != "" {
		return Source{}, fmt.Errorf("source %q: want REPO@COMMIT, COMMIT the full lower-case hex hash", s)
	}
	if u, err := url.Parse(repo); err != nil || u.Scheme == "" || u.Host == "" {
		return Source{}, fmt.Errorf("source %q: %s is not a repository URL (https://HOST/PATH)", s, repo)
	}
	return Source{Repo: repo, Commit: commit}, nil
}

// URI is the source as SLSA writes a git dependency, git+REPO@COMMIT.
func (s Source) URI() string { return "git+" + s.Repo + "@" + s.Commit }

// Provenance is what an artifact's attestation records.
type Provenance struct {
	Inputs  []Input
	Sources []Source
	// Products are further subjects the same build made, beside the
	// artifact attested (a release's archives, by file name).
	Products []sign.Subject
	// Params are the training parameters, by name.
	Params map[string]string
	// Builder identifies what ran the training (a CI workflow or mlc).
	Builder string
	// Invocation identifies the run (a CI run URL); optional.
	Invocation string
}

// BuilderOf identifies what is running, for Provenance.Builder and
// Invocation: the GitHub Actions workflow and its run when getenv has
// them, else mlc at version.
func BuilderOf(getenv func(string) string, version string) (builder, invocation string) {
	server := cmp.Or(getenv("GITHUB_SERVER_URL"), "https://github.com")
	if wf := getenv("GITHUB_WORKFLOW_REF"); wf != "" {
		builder = server + "/" + wf
		if repo, run := getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID"); repo != "" && run != "" {
			invocation = server + "/" + repo + "/actions/runs/" + run + "/attempts/" + cmp.Or(getenv("GITHUB_RUN_ATTEMPT"), "1")
		}
		return builder, invocation
	}
	return "https://github.com/mlc-project/mlc@" + version, ""
}

type externalParameters struct {
	Parameters map[string]string `json:"parameters,omitempty"`
}

// Statement is the in-toto statement, SLSA v1 provenance predicate, saying
// that the artifact digest at location was made from p. It contains no
// clock time and sorts the inputs, so attesting the same training twice
// gives the same bytes.
func Statement(location string, digest v1.Hash, p Provenance) ([]byte, error) {
	if p.Builder == "" {
		return nil, fmt.Errorf("provenance without a builder id")
	}
	// Inputs in a fixed order, so the flags' order does not change the bytes.
	inputs := slices.Clone(p.Inputs)
	slices.SortFunc(inputs, func(a, b Input) int {
		return cmp.Or(cmp.Compare(a.Role, b.Role), cmp.Compare(a.Ref(), b.Ref()))
	})
	deps := make([]slsa.ResourceDescriptor, 0, len(inputs)+len(p.Sources))
	for _, in := range inputs {
		deps = append(deps, slsa.ResourceDescriptor{
			Name:   in.Role,
			URI:    in.Ref(),
			Digest: map[string]string{in.Digest.Algorithm: in.Digest.Hex},
		})
	}
	sources := slices.Clone(p.Sources)
	slices.SortFunc(sources, func(a, b Source) int { return cmp.Compare(a.URI(), b.URI()) })
	for _, src := range sources {
		deps = append(deps, slsa.ResourceDescriptor{Name: "source", URI: src.URI(), Digest: map[string]string{GitCommit: src.Commit}})
	}
	subject := sign.Subject{Name: location, Digest: map[string]string{digest.Algorithm: digest.Hex}}
	return sign.NewStatement(subject, PredicateType, slsa.ProvenancePredicate{
		BuildDefinition: slsa.ProvenanceBuildDefinition{
			BuildType:            BuildType,
			ExternalParameters:   externalParameters{Parameters: p.Params},
			ResolvedDependencies: deps,
		},
		RunDetails: slsa.ProvenanceRunDetails{
			Builder:       slsa.Builder{ID: p.Builder},
			BuildMetadata: slsa.BuildMetadata{InvocationID: p.Invocation},
		},
	}, p.Products...)
}

// parse reads back a verified statement about digest written by Statement
// (or by any SLSA v1 producer: inputs and sources are its
// resolvedDependencies, products its other subjects).
func parse(s sign.Statement, digest v1.Hash) (Provenance, error) {
	var pred struct {
		BuildDefinition struct {
			BuildType            string                    `json:"buildType"`
			ExternalParameters   externalParameters        `json:"externalParameters"`
			ResolvedDependencies []slsa.ResourceDescriptor `json:"resolvedDependencies"`
		} `json:"buildDefinition"`
		RunDetails slsa.ProvenanceRunDetails `json:"runDetails"`
	}
	if err := json.Unmarshal(s.Predicate, &pred); err != nil {
		return Provenance{}, fmt.Errorf("SLSA provenance predicate: %w", err)
	}
	p := Provenance{
		Params:     pred.BuildDefinition.ExternalParameters.Parameters,
		Builder:    pred.RunDetails.Builder.ID,
		Invocation: pred.RunDetails.BuildMetadata.InvocationID,
	}
	for _, sub := range s.Subject {
		if sub.Digest[digest.Algorithm] != digest.Hex {
			p.Products = append(p.Products, sub)
		}
	}
	for _, d := range pred.BuildDefinition.ResolvedDependencies {
		if commit, ok := d.Digest[GitCommit]; ok {
			src, err := ParseSource(d.URI)
			if err != nil || src.Commit != commit {
				return Provenance{}, fmt.Errorf("dependency %q: uri %q does not name its commit %s", d.Name, d.URI, commit)
			}
			p.Sources = append(p.Sources, src)
			continue
		}
		in, err := inputOf(d)
		if err != nil {
			return Provenance{}, err
		}
		p.Inputs = append(p.Inputs, in)
	}
	return p, nil
}

// inputOf checks that a dependency's URI names the digest it records.
func inputOf(d slsa.ResourceDescriptor) (Input, error) {
	hex, ok := d.Digest["sha256"]
	if !ok {
		return Input{}, fmt.Errorf("dependency %q (%s) has no sha256 digest", d.Name, d.URI)
	}
	digest, err := v1.NewHash("sha256:" + hex)
	if err != nil {
		return Input{}, fmt.Errorf("dependency %q: %w", d.Name, err)
	}
	in := Input{Role: d.Name, Digest: digest}
	suffix := "@" + digest.String()
	if len(d.URI) <= len(suffix) || d.URI[len(d.URI)-len(suffix):] != suffix {
		return Input{}, fmt.Errorf("dependency %q: uri %q does not end in its digest %s", d.Name, d.URI, digest)
	}
	in.Location = d.URI[:len(d.URI)-len(suffix)]
	return in, nil
}
