// Package remote stores artifacts in one repository of an OCI registry,
// through go-containerregistry: credentials from the Docker config and
// credential helpers, retries with backoff on transient errors, HEAD checks
// before uploads, cross-repository mounts and uploads that stream while the
// content is hashed (upload.go).
package remote

import (
	"bytes"
	"cmp"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	ggcr "github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/mlc-project/mlc/artifact/internal/notfound"
)

// Options configure the connection; see artifact.Options.
type Options struct {
	PlainHTTP  bool
	Insecure   bool
	Transport  http.RoundTripper
	RetryDelay time.Duration
	UserAgent  string
}

// Store is a registry repository.
type Store struct {
	repo   name.Repository
	opts   Options
	base   http.RoundTripper // transport under ggcr's auth and retry layers
	backof ggcr.Backoff

	pusher *ggcr.Pusher
	puller *ggcr.Puller

	mu      sync.Mutex
	clients map[string]*http.Client // authenticated clients by scope
}

// New returns the store for repository (e.g. ghcr.io/acme/ml/credit).
// Nothing is contacted until the first call.
func New(repository string, opts Options) (*Store, error) {
	var nameOpts []name.Option
	if opts.PlainHTTP {
		nameOpts = append(nameOpts, name.Insecure)
	}
	repo, err := name.NewRepository(repository, append(nameOpts, name.StrictValidation)...)
	if err != nil {
		return nil, fmt.Errorf("repository %q: %w", repository, err)
	}
	base := opts.Transport
	if base == nil {
		t := ggcr.DefaultTransport.(*http.Transport).Clone()
		if opts.Insecure {
			t.TLSClientConfig = &tls.Config{InsecureSkipVerify: true} //nolint:gosec // only with --insecure
		}
		base = t
	}
	if !opts.PlainHTTP {
		base = httpsOnly{base}
	}
	s := &Store{
		repo:    repo,
		opts:    opts,
		base:    base,
		backof:  Backoff(opts.RetryDelay),
		clients: map[string]*http.Client{},
	}
	// Neither contacts the registry; each call passes its own context.
	if s.pusher, err = ggcr.NewPusher(s.remoteOptions(context.Background())...); err != nil {
		return nil, err
	}
	if s.puller, err = ggcr.NewPuller(s.remoteOptions(context.Background())...); err != nil {
		return nil, err
	}
	return s, nil
}

// httpsOnly refuses plain HTTP unless --plain-http was given; without it,
// go-containerregistry would fall back to HTTP for loopback and private
// addresses.
type httpsOnly struct{ next http.RoundTripper }

func (h httpsOnly) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme == "http" {
		return nil, fmt.Errorf("registry %s: refusing plain HTTP; pass --plain-http for a loopback registry without TLS", r.URL.Host)
	}
	return h.next.RoundTrip(r)
}

// Location returns the repository name.
func (s *Store) Location() string { return s.repo.Name() }

func (s *Store) remoteOptions(ctx context.Context) []ggcr.Option {
	o := []ggcr.Option{
		ggcr.WithContext(ctx),
		ggcr.WithAuthFromKeychain(authn.DefaultKeychain),
		ggcr.WithTransport(s.base),
		ggcr.WithRetryBackoff(s.backof),
	}
	if s.opts.UserAgent != "" {
		o = append(o, ggcr.WithUserAgent(s.opts.UserAgent))
	}
	return o
}

// client returns an HTTP client authenticated for scopes. A retrying
// client retries each request on transient failures; uploads use one that
// does not, and retry whole.
func (s *Store) client(ctx context.Context, retrying bool, scopes ...string) (*http.Client, error) {
	key := fmt.Sprint(retrying, scopes)
	s.mu.Lock()
	defer s.mu.Unlock()
	if c, ok := s.clients[key]; ok {
		return c, nil
	}
	auth, err := authn.Resolve(ctx, authn.DefaultKeychain, s.repo)
	if err != nil {
		return nil, err
	}
	inner := s.base
	if retrying {
		inner = transport.NewRetry(s.base, transport.WithRetryBackoff(s.backof), transport.WithRetryStatusCodes(retryCodes...))
	}
	t, err := transport.NewWithContext(ctx, s.repo.Registry, auth, inner, scopes)
	if err != nil {
		return nil, describe(err, s.repo.Name())
	}
	c := &http.Client{Transport: t}
	s.clients[key] = c
	return c, nil
}

// reference builds repo:tag or repo@digest.
func (s *Store) reference(tagOrDigest string) (name.Reference, error) {
	if _, err := v1.NewHash(tagOrDigest); err == nil {
		return s.repo.Digest(tagOrDigest), nil
	}
	t, err := name.NewTag(s.repo.Name()+":"+tagOrDigest, name.StrictValidation)
	if err != nil {
		return nil, fmt.Errorf("tag %q: %w", tagOrDigest, err)
	}
	return t, nil
}

// Resolve HEADs the manifest a tag or digest names.
func (s *Store) Resolve(ctx context.Context, tagOrDigest string) (v1.Descriptor, error) {
	ref, err := s.reference(tagOrDigest)
	if err != nil {
		return v1.Descriptor{}, err
	}
	d, err := s.puller.Head(ctx, ref)
	if err != nil {
		return v1.Descriptor{}, describe(err, ref.Name())
	}
	return *d, nil
}

// Manifest fetches a manifest by digest; go-containerregistry verifies it.
func (s *Store) Manifest(ctx context.Context, d v1.Hash) ([]byte, v1.Descriptor, error) {
	ref := s.repo.Digest(d.String())
	got, err := s.puller.Get(ctx, ref)
	if err != nil {
		return nil, v1.Descriptor{}, describe(err, ref.Name())
	}
	desc := got.Descriptor
	var m struct {
		ArtifactType string `json:"artifactType"`
	}
	if err := json.Unmarshal(got.Manifest, &m); err != nil {
		return nil, v1.Descriptor{}, fmt.Errorf("manifest %s is not JSON: %w", ref.Name(), err)
	}
	desc.ArtifactType = m.ArtifactType
	return got.Manifest, desc, nil
}

// blobsURL is the repository's blobs endpoint followed by elem: a digest,
// or "uploads/".
func (s *Store) blobsURL(elem string) *url.URL {
	return &url.URL{Scheme: s.repo.Scheme(), Host: s.repo.RegistryStr(), Path: "/v2/" + s.repo.RepositoryStr() + "/blobs/" + elem}
}

// blobRequest sends method to the blob's URL with pull credentials and
// checks the status is one of ok.
func (s *Store) blobRequest(ctx context.Context, method string, d v1.Hash, ok ...int) (*http.Response, error) {
	c, err := s.client(ctx, true, s.repo.Scope(transport.PullScope))
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, method, s.blobsURL(d.String()).String(), nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.Do(req)
	if err != nil {
		return nil, describe(err, s.repo.Name())
	}
	if err := transport.CheckError(resp, ok...); err != nil {
		resp.Body.Close()
		return nil, describe(err, s.repo.Name()+"@"+d.String())
	}
	return resp, nil
}

// HasBlob HEADs the blob.
func (s *Store) HasBlob(ctx context.Context, d v1.Hash) (bool, error) {
	resp, err := s.blobRequest(ctx, http.MethodHead, d, http.StatusOK, http.StatusNotFound)
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK, nil
}

// Blob GETs the blob, following redirects to blob storage.
func (s *Store) Blob(ctx context.Context, d v1.Hash) (io.ReadCloser, error) {
	resp, err := s.blobRequest(ctx, http.MethodGet, d, http.StatusOK)
	if err != nil {
		return nil, err
	}
	return resp.Body, nil
}

// PutManifest PUTs the manifest under the tag, or by digest without one.
// go-containerregistry maintains the referrers fallback tag for manifests
// with a subject when the registry lacks the referrers API.
func (s *Store) PutManifest(ctx context.Context, tag string, mediaType string, raw []byte) (v1.Descriptor, error) {
	d, size, err := v1.SHA256(bytes.NewReader(raw))
	if err != nil {
		return v1.Descriptor{}, err
	}
	var m struct {
		ArtifactType string `json:"artifactType"`
	}
	_ = json.Unmarshal(raw, &m) // the registry validates the manifest
	desc := v1.Descriptor{MediaType: types.MediaType(mediaType), Digest: d, Size: size, ArtifactType: m.ArtifactType}
	ref := name.Reference(s.repo.Digest(d.String()))
	if tag != "" {
		if ref, err = s.reference(tag); err != nil {
			return v1.Descriptor{}, err
		}
	}
	if err := s.pusher.Put(ctx, ref, rawManifest{raw: raw, mediaType: desc.MediaType}); err != nil {
		return v1.Descriptor{}, describe(err, ref.Name())
	}
	return desc, nil
}

// Referrers queries the referrers API, falling back to the tag schema.
// It filters by artifactType itself: registries may ignore the filter, and
// some report the config media type (the OCI empty one for artifacts) in
// place of the manifest's artifactType, which is then read from the
// manifest.
func (s *Store) Referrers(ctx context.Context, subject v1.Hash, artifactType string) ([]v1.Descriptor, error) {
	idx, err := ggcr.Referrers(s.repo.Digest(subject.String()), s.remoteOptions(ctx)...)
	if err != nil {
		return nil, describe(err, s.repo.Name()+"@"+subject.String())
	}
	im, err := idx.IndexManifest()
	if err != nil {
		return nil, err
	}
	var out []v1.Descriptor
	for _, d := range im.Manifests {
		if d.ArtifactType == "" || d.ArtifactType == emptyMediaType {
			_, m, err := s.Manifest(ctx, d.Digest)
			if err != nil {
				return nil, err
			}
			d.ArtifactType = m.ArtifactType
		}
		if artifactType == "" || d.ArtifactType == artifactType {
			out = append(out, d)
		}
	}
	return out, nil
}

// emptyMediaType is the OCI 1.1 empty config of artifacts.
const emptyMediaType = "application/vnd.oci.empty.v1+json"

// rawManifest lets go-containerregistry PUT bytes we serialised.
type rawManifest struct {
	raw       []byte
	mediaType types.MediaType
}

func (r rawManifest) RawManifest() ([]byte, error)        { return r.raw, nil }
func (r rawManifest) MediaType() (types.MediaType, error) { return r.mediaType, nil }

// describe turns registry errors into messages that say what was missing,
// keeping fs.ErrNotExist reachable for "not found" answers.
func describe(err error, what string) error {
	var terr *transport.Error
	if errors.As(err, &terr) && terr.StatusCode == http.StatusNotFound {
		return notfound.Errorf("%s not found: %w", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}

// Backoff is mlc's one retry policy for registry traffic, from a first
// delay (default one second): go-containerregistry's requests, mlc's own
// uploads and a pull's layer downloads all wait it out.
func Backoff(delay time.Duration) ggcr.Backoff {
	return ggcr.Backoff{Duration: cmp.Or(delay, time.Second), Factor: 3, Jitter: 0.1, Steps: 4}
}

// Retry runs try until it succeeds, fails in a way retryable refuses,
// the backoff's steps are spent or ctx ends; it returns try's last error.
func Retry(ctx context.Context, b ggcr.Backoff, retryable func(error) bool, try func() error) error {
	delay := b.Duration
	for step := 1; ; step++ {
		err := try()
		if err == nil || step >= b.Steps || !retryable(err) || ctx.Err() != nil {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return err
		}
		delay = time.Duration(float64(delay) * b.Factor)
	}
}
