package sign

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/sigstore/cosign/v2/pkg/cosign"
	sgbundle "github.com/sigstore/sigstore-go/pkg/bundle"
	"github.com/sigstore/sigstore-go/pkg/verify"

	"github.com/mlc-project/mlc/artifact"
)

// bundleTypePrefix starts the artifactType of the referrer manifests cosign
// v3 (and cosign v2 with --new-bundle-format) attaches: one Sigstore bundle
// layer, e.g. application/vnd.dev.sigstore.bundle.v0.3+json.
const bundleTypePrefix = "application/vnd.dev.sigstore.bundle"

// verifyBundles checks the Sigstore bundles attached to digest as OCI 1.1
// referrers whose in-toto statement has predicateType. Bundles of other
// predicate types (attestations that are not signatures) are skipped.
func verifyBundles(ctx context.Context, st artifact.Store, digest v1.Hash, co *cosign.CheckOpts, predicateType string) (ok []Verified, fails []string, err error) {
	descs, err := st.Referrers(ctx, digest, "")
	if err != nil {
		return nil, nil, fmt.Errorf("listing referrers of %s@%s: %w", st.Location(), digest, err)
	}
	policy := verify.WithArtifactDigest(digest.Algorithm, digestBytes(digest))
	for _, d := range descs {
		if !maybeBundle(d) {
			continue
		}
		b, err := readBundle(ctx, st, d.Digest)
		if err != nil {
			fails = append(fails, err.Error())
			continue
		}
		if b == nil {
			continue
		}
		res, err := cosign.VerifyNewBundle(ctx, co, policy, b)
		if err != nil {
			fails = append(fails, fmt.Sprintf("bundle %s: %v", d.Digest, err))
			continue
		}
		if res.Statement == nil || res.Statement.GetPredicateType() != predicateType {
			continue
		}
		v := Verified{Format: "sigstore-bundle"}
		if res.Signature != nil && res.Signature.Certificate != nil {
			v.Signer = res.Signature.Certificate.SubjectAlternativeName
		}
		ok = append(ok, v)
	}
	return ok, fails, nil
}

// maybeBundle filters referrers by artifactType. Some registries (the
// go-containerregistry one among them) report the config media type
// instead of the manifest's artifactType, so the empty config also passes.
func maybeBundle(d v1.Descriptor) bool {
	return d.ArtifactType == "" || strings.HasPrefix(d.ArtifactType, bundleTypePrefix) ||
		d.ArtifactType == "application/vnd.oci.empty.v1+json"
}

// readBundle reads the Sigstore bundle held by the referrer manifest
// digest; nil when that manifest holds something else.
func readBundle(ctx context.Context, st artifact.Store, digest v1.Hash) (*sgbundle.Bundle, error) {
	raw, _, err := st.Manifest(ctx, digest)
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", digest, err)
	}
	m, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", digest, err)
	}
	if len(m.Layers) != 1 || !strings.HasPrefix(string(m.Layers[0].MediaType), bundleTypePrefix) {
		return nil, nil
	}
	data, err := readBlob(ctx, st, m.Layers[0])
	if err != nil {
		return nil, fmt.Errorf("bundle %s: %w", digest, err)
	}
	var b sgbundle.Bundle
	if err := b.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("bundle %s: not a Sigstore bundle: %w", digest, err)
	}
	return &b, nil
}
