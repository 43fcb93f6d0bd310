package adapter

import (
	"context"
	"fmt"

	"github.com/mlc-project/mlc/artifact"
)

// ociFetcher pulls an mlc dataset artifact (or any OCI artifact mlc can
// pull). The artifact package verifies every blob against its digest and
// refuses paths that escape the directory; the manifest records the
// reference by digest. Registry settings come from $MLC_PLAIN_HTTP and
// $MLC_INSECURE as for `mlc pull`.
type ociFetcher struct {
	ref artifact.Ref
}

// OCISource is an mlc dataset artifact.
type OCISource struct {
	Ref string `json:"ref"`
}

func init() { register("oci", newOCIFetcher) }

func newOCIFetcher(src OCISource, opts Options) (Fetcher, error) {
	if err := opts.required("source.oci.ref", src.Ref, "give an artifact reference such as ghcr.io/acme/ml/credit:v1"); err != nil {
		return nil, err
	}
	ref, err := artifact.ParseRef(src.Ref)
	if err != nil {
		return nil, opts.invalid("source.oci.ref: %v", err)
	}
	return &ociFetcher{ref: ref}, nil
}

func (f *ociFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	res, err := artifact.Pull(ctx, f.ref, dst, artifact.PullOptions{Options: artifact.DefaultOptions()})
	if err != nil {
		return nil, err
	}
	out := newSink(dst)
	for _, rel := range res.Files {
		if err := out.record(rel); err != nil {
			return nil, fmt.Errorf("%s: %w", res.Ref, err)
		}
	}
	return out.manifest(res.Ref.String()), nil
}
