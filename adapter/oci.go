package adapter

import (
	"context"
	"errors"
	"fmt"
)

// ociFetcher pulls an mlc dataset artifact. Pulling lives in package
// artifact, which has no pull function yet; until it does this adapter
// says so instead of pretending.
type ociFetcher struct {
	src OCISource
}

// ErrNotAvailable is returned by adapters this build of mlc cannot run.
var ErrNotAvailable = errors.New("not available in this build of mlc")

func (f *ociFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	return nil, fmt.Errorf("oci %s: pulling dataset artifacts is %w yet; use another source for now", f.src.Ref, ErrNotAvailable)
}
