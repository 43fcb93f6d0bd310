package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/mlc-project/mlc/artifact/layout"
	"github.com/mlc-project/mlc/artifact/remote"
	"github.com/mlc-project/mlc/internal/version"
)

// Open returns the store a reference lives in.
func Open(ref Ref, opts Options) (Store, error) {
	if ref.IsLayout() {
		return layout.New(ref.Layout), nil
	}
	return remote.New(ref.Repository, remote.Options{
		PlainHTTP:  opts.PlainHTTP,
		Insecure:   opts.Insecure,
		Transport:  opts.Transport,
		RetryDelay: opts.RetryDelay,
		UserAgent:  "mlc/" + version.Version,
	})
}

// VerifyBlob wraps a blob reader so that reading it to the end fails unless
// exactly size bytes with the expected digest came through. Callers must
// treat the content as untrusted until Read has returned io.EOF.
func VerifyBlob(r io.Reader, digest v1.Hash, size int64) io.Reader {
	if size < 0 {
		return errReader{fmt.Errorf("blob %s: invalid size %d in its descriptor", digest, size)}
	}
	return &verifier{r: r, h: sha256.New(), want: digest, left: size}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

type verifier struct {
	r    io.Reader
	h    hash.Hash
	want v1.Hash
	left int64
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.want.Algorithm != "sha256" {
		return 0, fmt.Errorf("blob %s: unsupported digest algorithm", v.want)
	}
	if int64(len(p)) > v.left+1 {
		p = p[:v.left+1] // one byte past the size reveals an over-long blob
	}
	n, err := v.r.Read(p)
	v.h.Write(p[:n])
	v.left -= int64(n)
	if v.left < 0 {
		return n, fmt.Errorf("blob %s is longer than its declared size (tampered or corrupt)", v.want)
	}
	if err == io.EOF {
		if v.left > 0 {
			return n, fmt.Errorf("blob %s ended %d bytes short: %w", v.want, v.left, io.ErrUnexpectedEOF)
		}
		if got := hex.EncodeToString(v.h.Sum(nil)); got != v.want.Hex {
			return n, fmt.Errorf("blob %s has digest sha256:%s (tampered or corrupt)", v.want, got)
		}
	}
	return n, err
}
