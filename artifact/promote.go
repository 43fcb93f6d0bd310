package artifact

import (
	"context"
	"fmt"
)

// Promote points tag at the manifest ref names, in the same repository:
// only the manifest is written again, no blob moves. It returns the
// promoted artifact by digest.
func Promote(ctx context.Context, ref Ref, tag string, opts Options) (Ref, error) {
	if _, err := ParseRef(ref.WithTag(tag).String()); err != nil || tag == "" {
		return Ref{}, fmt.Errorf("promote: invalid tag %q: want letters, digits, '_', '.', '-'", tag)
	}
	store, err := Open(ref, opts)
	if err != nil {
		return Ref{}, err
	}
	desc, err := store.Resolve(ctx, ref.Identifier())
	if err != nil {
		return Ref{}, fmt.Errorf("promote %s: %w", ref, err)
	}
	raw, desc, err := store.Manifest(ctx, desc.Digest)
	if err != nil {
		return Ref{}, fmt.Errorf("promote %s: %w", ref, err)
	}
	if _, err := store.PutManifest(ctx, tag, string(desc.MediaType), raw); err != nil {
		return Ref{}, fmt.Errorf("promote %s to %s: %w", ref, tag, err)
	}
	return ref.WithDigest(desc.Digest), nil
}
