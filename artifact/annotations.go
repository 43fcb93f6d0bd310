package artifact

import (
	"context"
	"os"
	"strconv"
)

// DefaultOptions are the connection options from the environment:
// MLC_PLAIN_HTTP=true and MLC_INSECURE=true opt in to plain HTTP and to
// unverified TLS (the command-line flags default to them too).
func DefaultOptions() Options {
	plain, _ := strconv.ParseBool(os.Getenv("MLC_PLAIN_HTTP"))
	insecure, _ := strconv.ParseBool(os.Getenv("MLC_INSECURE"))
	return Options{PlainHTTP: plain, Insecure: insecure}
}

// ReadAnnotations returns the manifest annotations of the artifact ref
// names (a tag or a digest), e.g. the dev.mlc.metric.<name> values the
// metrics gate compares against.
func ReadAnnotations(ctx context.Context, ref string) (map[string]string, error) {
	r, err := ParseRef(ref)
	if err != nil {
		return nil, err
	}
	store, err := Open(r, DefaultOptions())
	if err != nil {
		return nil, err
	}
	m, _, err := fetchManifest(ctx, store, r)
	if err != nil {
		return nil, err
	}
	if m.Annotations == nil {
		return map[string]string{}, nil
	}
	return m.Annotations, nil
}
