package remote

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"

	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

func TestTransient(t *testing.T) {
	urlErr := func(err error) error { return &url.Error{Op: "Put", URL: "https://r.test/v2/", Err: err} }
	for err, want := range map[error]bool{
		urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED}):                        true,
		urlErr(&net.OpError{Op: "write", Net: "tcp", Err: os.NewSyscallError("write", syscall.EPIPE)}): true,
		urlErr(os.ErrDeadlineExceeded):                                          true,
		urlErr(io.ErrUnexpectedEOF):                                             true,
		fmt.Errorf("reading: %w", syscall.ECONNRESET):                           true,
		&transport.Error{StatusCode: 503}:                                       true,
		&transport.Error{StatusCode: 429}:                                       true,
		&transport.Error{StatusCode: 403}:                                       false,
		&transport.Error{StatusCode: 404}:                                       false,
		urlErr(x509.UnknownAuthorityError{}):                                    false,
		urlErr(errors.New("registry r.test: refusing plain HTTP")):              false,
		urlErr(context.Canceled):                                                false,
		errors.New("blob sha256:ab has digest sha256:cd (tampered or corrupt)"): false,
	} {
		if got := transient(err); got != want {
			t.Errorf("transient(%v) = %v, want %v", err, got, want)
		}
	}
}
