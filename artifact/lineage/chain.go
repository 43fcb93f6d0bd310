package lineage

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/sign"
)

// maxDepth bounds how far Trace follows inputs of inputs; real chains
// (raw data → features → model) are a few links long.
const maxDepth = 16

// Attach signs p as the provenance of the artifact digest in st and
// attaches it, replacing an earlier provenance of that artifact. The same
// provenance already attached by the same key is left as it is.
func Attach(ctx context.Context, st artifact.Store, digest v1.Hash, s *sign.Signer, p Provenance, tlog sign.TlogOpts) (sign.Outcome, error) {
	stmt, err := Statement(st.Location(), digest, p)
	if err != nil {
		return sign.Outcome{}, err
	}
	return sign.Attest(ctx, st, digest, s, PredicateType, stmt, tlog)
}

// Read returns the verified provenance attached to digest. It fails with
// sign.ErrUnsigned when there is none, sign.ErrNotVerified when none passes.
func Read(ctx context.Context, st artifact.Store, digest v1.Hash, p sign.Policy) (Provenance, error) {
	stmts, err := sign.VerifyAttestations(ctx, st, digest, p, PredicateType)
	if err != nil {
		return Provenance{}, err
	}
	// Attach keeps one; another tool may have added more: the last wins.
	return parse(stmts[len(stmts)-1], digest)
}

// Node is one artifact of a lineage chain.
type Node struct {
	Role string `json:"role"` // model, dataset, code...
	Ref  string `json:"ref"`  // LOCATION@sha256:<hex>
	// Signed is true when a signature of the artifact passes the policy.
	Signed bool `json:"signed"`
	// Attested is true when its provenance was verified; Inputs, Params,
	// Builder and Invocation come from it.
	Attested bool `json:"attested"`
	// Metrics are the dev.mlc.metric.<name> annotations of the manifest
	// (covered by its digest, so by the signature and provenance).
	Metrics    map[string]string `json:"metrics,omitempty"`
	Builder    string            `json:"builder,omitempty"`
	Invocation string            `json:"invocation,omitempty"`
	Params     map[string]string `json:"params,omitempty"`
	// Sources are the git commits it was built from, git+REPO@COMMIT.
	Sources []string `json:"sources,omitempty"`
	// Products are the other subjects of its provenance, made by the
	// same build (a release's archives).
	Products []sign.Subject `json:"products,omitempty"`
	Inputs   []*Node        `json:"inputs,omitempty"`
}

// Opener opens the store holding ref, an input's LOCATION@sha256:<hex>.
type Opener func(ref string) (artifact.Store, error)

// Trace verifies the provenance of the artifact digest in st and follows
// its inputs, checking each input's signature and, where it has one, its
// provenance. The root must carry a valid provenance; an input without any
// is a leaf; an input whose provenance does not verify fails the trace.
func Trace(ctx context.Context, st artifact.Store, digest v1.Hash, p sign.Policy, open Opener) (*Node, error) {
	prov, err := Read(ctx, st, digest, p)
	if err != nil {
		return nil, fmt.Errorf("lineage of %s@%s: %w", st.Location(), digest, err)
	}
	t := tracer{ctx: ctx, policy: p, open: open, path: map[v1.Hash]bool{}}
	return t.node(st, digest, "", &prov, 0)
}

// metricsOf returns the metric annotations of a manifest, by metric name.
func metricsOf(raw []byte) map[string]string {
	var m struct {
		Annotations map[string]string `json:"annotations"`
	}
	if json.Unmarshal(raw, &m) != nil {
		return nil
	}
	var out map[string]string
	for k, v := range m.Annotations {
		if name, ok := strings.CutPrefix(k, artifact.AnnotationMetricPfx); ok {
			if out == nil {
				out = map[string]string{}
			}
			out[name] = v
		}
	}
	return out
}

// roleOf names an artifact by the artifactType mlc pushed it with.
func roleOf(artifactType string) string {
	switch artifactType {
	case artifact.ArtifactTypeModel:
		return string(artifact.KindModel)
	case artifact.ArtifactTypeDataset:
		return string(artifact.KindDataset)
	case artifact.ArtifactTypeCode:
		return string(artifact.KindCode)
	}
	return "artifact"
}

type tracer struct {
	ctx    context.Context
	policy sign.Policy
	open   Opener
	// path holds the artifacts from the root down to the one being traced:
	// an input already on it would make the chain a cycle. (An input shared
	// by two branches, a diamond, is fine.)
	path map[v1.Hash]bool
}

// node builds the node for digest in st; prov is its verified provenance,
// nil when it has none. An empty role is taken from the artifactType.
func (t *tracer) node(st artifact.Store, digest v1.Hash, role string, prov *Provenance, depth int) (*Node, error) {
	n := &Node{Role: role, Ref: st.Location() + "@" + digest.String()}
	raw, desc, err := st.Manifest(t.ctx, digest)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", role, n.Ref, err)
	}
	if n.Role == "" {
		n.Role = roleOf(desc.ArtifactType)
	}
	n.Metrics = metricsOf(raw)
	_, err = sign.Verify(t.ctx, st, digest, t.policy)
	switch {
	case err == nil:
		n.Signed = true
	case !errors.Is(err, sign.ErrNotVerified):
		return nil, fmt.Errorf("%s %s: %w", role, n.Ref, err)
	}
	if prov == nil {
		return n, nil
	}
	n.Attested, n.Builder, n.Invocation, n.Params, n.Products = true, prov.Builder, prov.Invocation, prov.Params, prov.Products
	for _, src := range prov.Sources {
		n.Sources = append(n.Sources, src.URI())
	}
	if depth >= maxDepth {
		return nil, fmt.Errorf("lineage of %s is more than %d links deep", n.Ref, maxDepth)
	}
	t.path[digest] = true
	defer delete(t.path, digest)
	for _, in := range prov.Inputs {
		if t.path[in.Digest] {
			return nil, fmt.Errorf("lineage of %s: %s is its own ancestor", n.Ref, in.Ref())
		}
		child, err := t.input(in, depth+1)
		if err != nil {
			return nil, err
		}
		n.Inputs = append(n.Inputs, child)
	}
	return n, nil
}

func (t *tracer) input(in Input, depth int) (*Node, error) {
	st, err := t.open(in.Ref())
	if err != nil {
		return nil, fmt.Errorf("%s input %s: %w", in.Role, in.Ref(), err)
	}
	prov, err := Read(t.ctx, st, in.Digest, t.policy)
	switch {
	case errors.Is(err, sign.ErrUnsigned):
		return t.node(st, in.Digest, in.Role, nil, depth)
	case err != nil:
		return nil, fmt.Errorf("%s input %s: %w", in.Role, in.Ref(), err)
	}
	return t.node(st, in.Digest, in.Role, &prov, depth)
}

// WriteText prints the chain, one artifact per line, inputs indented
// under what was made from them:
//
//	model   ghcr.io/acme/model@sha256:… (signed, provenance verified)
//	        params: epochs=10 lr=0.01
//	        source: git+https://github.com/acme/ml@3f2c…
//	        also made: model.onnx sha256:…
//	  ← dataset ghcr.io/acme/data@sha256:… (signed)
func WriteText(w io.Writer, n *Node) error {
	return writeNode(w, n, "")
}

func writeNode(w io.Writer, n *Node, indent string) error {
	arrow := ""
	if indent != "" {
		arrow = "← "
	}
	if _, err := fmt.Fprintf(w, "%s%s%-7s %s (%s)\n", indent, arrow, n.Role, n.Ref, status(n)); err != nil {
		return err
	}
	detail := indent + strings.Repeat(" ", len([]rune(arrow))+8)
	for _, kv := range []struct {
		label  string
		values map[string]string
	}{{"metrics", n.Metrics}, {"params", n.Params}} {
		if len(kv.values) == 0 {
			continue
		}
		if _, err := fmt.Fprintf(w, "%s%s: %s\n", detail, kv.label, formatParams(kv.values)); err != nil {
			return err
		}
	}
	for _, src := range n.Sources {
		if _, err := fmt.Fprintf(w, "%ssource: %s\n", detail, src); err != nil {
			return err
		}
	}
	for _, p := range n.Products {
		if _, err := fmt.Fprintf(w, "%salso made: %s %s\n", detail, p.Name, formatDigest(p.Digest)); err != nil {
			return err
		}
	}
	if n.Builder != "" {
		run := ""
		if n.Invocation != "" {
			run = ", run " + n.Invocation
		}
		if _, err := fmt.Fprintf(w, "%sbuilt by %s%s\n", detail, n.Builder, run); err != nil {
			return err
		}
	}
	for _, in := range n.Inputs {
		if err := writeNode(w, in, indent+"  "); err != nil {
			return err
		}
	}
	return nil
}

func status(n *Node) string {
	s := "unsigned"
	if n.Signed {
		s = "signed"
	}
	if n.Attested {
		s += ", provenance verified"
	}
	return s
}

// formatParams prints k=v pairs sorted by key.
func formatParams(p map[string]string) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p[k]
	}
	return strings.Join(parts, " ")
}

// formatDigest writes a subject's digests as ALG:HEX, sorted.
func formatDigest(d map[string]string) string {
	parts := make([]string, 0, len(d))
	for alg, hex := range d {
		parts = append(parts, alg+":"+hex)
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}
