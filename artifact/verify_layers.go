package artifact

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// VerifyContent reads every blob the manifest digest names (config and
// layers) and checks it against its digest. A signature covers the
// manifest, which names its blobs by digest; whether the stored bytes
// still match is only known by reading them, as pull always does.
func VerifyContent(ctx context.Context, store Store, digest v1.Hash) error {
	raw, _, err := store.Manifest(ctx, digest)
	if err != nil {
		return err
	}
	var m v1.Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("manifest %s is not JSON: %w", digest, err)
	}
	for _, d := range append([]v1.Descriptor{m.Config}, m.Layers...) {
		rc, err := store.Blob(ctx, d.Digest)
		if err != nil {
			return fmt.Errorf("blob %s: %w", d.Digest, err)
		}
		_, err = io.Copy(io.Discard, VerifyBlob(rc, d.Digest, d.Size))
		rc.Close()
		if err != nil {
			return err
		}
	}
	return nil
}
