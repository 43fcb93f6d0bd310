package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"syscall"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// Blob uploads speak the OCI distribution protocol directly rather than
// through go-containerregistry's Pusher, which always sends a PATCH then a
// commit and needs the digest first. Two things are faster:
//
//   - with the digest known, one monolithic PUT: distribution's registry
//     takes a 1 GiB blob in about 0.4 s less than as PATCH + PUT;
//   - with the digest unknown (a large file the digest cache has not seen),
//     the upload streams while a second read hashes the file, and the HEAD
//     check runs as soon as the digest is known, cancelling the upload when
//     the registry has the blob. A push then takes as long as its upload,
//     not hashing plus upload, and still sends no blob the registry has.
//
// Each upload is retried whole on transient errors: its body is a stream,
// so the request-level retries of the other calls cannot resend it.

// retryCodes are the HTTP statuses worth another try.
var retryCodes = []int{
	http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
	http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout,
}

// PutBlob uploads the blob unless the registry has it (HEAD check).
func (s *Store) PutBlob(ctx context.Context, desc v1.Descriptor, open func() (io.ReadCloser, error)) error {
	return s.putBlob(ctx, desc, open, name.Repository{})
}

// PutBlobMounting asks the registry to mount the blob from another
// repository first and uploads it when the registry declines.
func (s *Store) PutBlobMounting(ctx context.Context, desc v1.Descriptor, open func() (io.ReadCloser, error), from string) error {
	src, err := name.NewRepository(from)
	if err != nil {
		return fmt.Errorf("mount source %q: %w", from, err)
	}
	return s.putBlob(ctx, desc, open, src)
}

// putBlob is HEAD, then [mount,] POST and PUT with the content, retried.
func (s *Store) putBlob(ctx context.Context, desc v1.Descriptor, open func() (io.ReadCloser, error), from name.Repository) error {
	if has, err := s.HasBlob(ctx, desc.Digest); err != nil || has {
		return err
	}
	err := s.retry(ctx, func() error {
		c, err := s.uploadClient(ctx, from)
		if err != nil {
			return err
		}
		loc, mounted, err := s.startUpload(ctx, c, desc.Digest, from)
		if err != nil || mounted {
			return err
		}
		_, err = s.send(ctx, c, http.MethodPut, withDigest(loc, desc.Digest), desc.Size, open, http.StatusCreated)
		return err
	})
	return s.describeBlob(err, desc.Digest)
}

type hashResult struct {
	digest v1.Hash
	err    error
}

// PutBlobHashing uploads a blob of known size and media type while digest
// computes its digest from a second read; see artifact.Streamer.
func (s *Store) PutBlobHashing(ctx context.Context, desc v1.Descriptor, open func() (io.ReadCloser, error), digest func(context.Context) (v1.Hash, error)) (v1.Hash, error) {
	hashCtx, stopHash := context.WithCancel(ctx)
	defer stopHash()
	hashed := make(chan hashResult, 1)
	go func() {
		d, err := digest(hashCtx)
		hashed <- hashResult{d, err}
	}()

	upCtx, stopUpload := context.WithCancel(ctx)
	defer stopUpload()
	var loc *url.URL
	streamed := make(chan error, 1)
	c, err := s.uploadClient(ctx, name.Repository{})
	if err == nil {
		loc, _, err = s.startUpload(ctx, c, v1.Hash{}, name.Repository{})
	}
	if err != nil {
		streamed <- err
	} else {
		go func() {
			next, err := s.send(upCtx, c, http.MethodPatch, loc, desc.Size, open, http.StatusAccepted)
			if err == nil {
				loc = next
			}
			streamed <- err
		}()
	}

	abandon := func() {
		stopUpload()
		<-streamed
		if loc != nil {
			s.cancelUpload(c, loc)
		}
	}
	var h hashResult
	select {
	case h = <-hashed:
	case err := <-streamed:
		streamed <- err // read again below
		if err != nil && !transient(err) {
			// The registry refused the upload: no need to finish hashing.
			stopHash()
			<-hashed
			abandon()
			return v1.Hash{}, s.describeBlob(err, v1.Hash{})
		}
		h = <-hashed
	}
	if h.err != nil {
		abandon()
		return v1.Hash{}, h.err
	}
	desc.Digest = h.digest
	if has, err := s.HasBlob(ctx, h.digest); err == nil && has {
		abandon()
		return h.digest, nil
	}
	if err = <-streamed; err == nil {
		_, err = s.send(ctx, c, http.MethodPut, withDigest(loc, h.digest), 0, nil, http.StatusCreated)
	}
	if err == nil {
		return h.digest, nil
	}
	if loc != nil {
		s.cancelUpload(c, loc)
	}
	if transient(err) && ctx.Err() == nil {
		// Start over as an upload of a known blob, with its retries.
		return h.digest, s.putBlob(ctx, desc, open, name.Repository{})
	}
	return h.digest, s.describeBlob(err, h.digest)
}

// uploadClient is a push client that does not retry requests itself (an
// upload is retried whole); mounting needs pull access to the source too.
func (s *Store) uploadClient(ctx context.Context, from name.Repository) (*http.Client, error) {
	scopes := []string{s.repo.Scope(transport.PushScope)}
	if from.RepositoryStr() != "" {
		scopes = append(scopes, from.Scope(transport.PullScope))
	}
	return s.client(ctx, false, scopes...)
}

// startUpload POSTs to the uploads endpoint, asking to mount digest from
// another repository when from is set. It returns the upload's location,
// or mounted when the registry mounted the blob.
func (s *Store) startUpload(ctx context.Context, c *http.Client, digest v1.Hash, from name.Repository) (loc *url.URL, mounted bool, err error) {
	u := s.blobsURL("uploads/")
	if from.RepositoryStr() != "" {
		u.RawQuery = url.Values{"mount": {digest.String()}, "from": {from.RepositoryStr()}}.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), nil)
	if err != nil {
		return nil, false, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, false, err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusCreated, http.StatusAccepted); err != nil {
		return nil, false, err
	}
	if resp.StatusCode == http.StatusCreated {
		return nil, true, nil
	}
	loc, err = resp.Location()
	if err != nil {
		return nil, false, fmt.Errorf("registry started an upload without a Location: %w", err)
	}
	return loc, false, nil
}

// send makes one upload request with size bytes from open (none when open
// is nil) and returns where the upload continues.
func (s *Store) send(ctx context.Context, c *http.Client, method string, u *url.URL, size int64, open func() (io.ReadCloser, error), ok ...int) (*url.URL, error) {
	var body io.ReadCloser = http.NoBody
	if open != nil {
		var err error
		if body, err = open(); err != nil {
			return nil, err
		}
	}
	defer body.Close()
	req, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	req.ContentLength = size
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := c.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, ok...); err != nil {
		return nil, err
	}
	if resp.Header.Get("Location") == "" {
		return u, nil
	}
	return resp.Location()
}

// cancelUpload deletes an upload that is no longer needed; the registry
// would expire it anyway, so failures are ignored.
func (s *Store) cancelUpload(c *http.Client, loc *url.URL) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, loc.String(), nil)
	if err != nil {
		return
	}
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
	}
}

// withDigest adds the digest parameter that completes an upload.
func withDigest(loc *url.URL, d v1.Hash) *url.URL {
	u := *loc
	q := u.Query()
	q.Set("digest", d.String())
	u.RawQuery = q.Encode()
	return &u
}

// retry runs try until it succeeds, fails for good, or the backoff's
// steps are spent.
func (s *Store) retry(ctx context.Context, try func() error) error {
	return Retry(ctx, s.backof, transient, try)
}

// transient reports whether err may pass on a retry: a retryable status,
// or a connection that failed or was cut.
func transient(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var terr *transport.Error
	if errors.As(err, &terr) {
		return slices.Contains(retryCodes, terr.StatusCode)
	}
	return ConnectionBroken(err)
}

// ConnectionBroken reports whether err is a network failure: a connection
// refused, reset or cut off, or a timeout. Any failed request comes as a
// *url.Error, which is a net.Error; what it wraps decides, so a refused
// certificate or a refused plain-HTTP request is not retried.
func ConnectionBroken(err error) bool {
	var op *net.OpError
	var nerr net.Error
	return errors.As(err, &op) || (errors.As(err, &nerr) && nerr.Timeout()) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// describeBlob names the blob (the repository alone while its digest is
// not known yet) in an upload error.
func (s *Store) describeBlob(err error, d v1.Hash) error {
	if err == nil {
		return nil
	}
	if d.Hex == "" {
		return describe(err, s.repo.Name())
	}
	return describe(err, s.repo.Name()+"@"+d.String())
}
