package adapter

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"
)

// httpFetcher downloads one URL into a file named after the URL's last path
// segment, retrying network errors, 429 and 5xx with exponential backoff.
type httpFetcher struct {
	src      HTTPSource
	client   *http.Client
	attempts int
	backoff  time.Duration // before the second attempt; doubles after each
}

// HTTPSource is one URL; SHA256 (hex) is verified when set.
type HTTPSource struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256,omitempty"`
}

func init() { register("http", newHTTPSource) }

func newHTTPSource(src HTTPSource, opts Options) (Fetcher, error) {
	if err := opts.checkURL("source.http.url", src.URL); err != nil {
		return nil, err
	}
	if h := src.SHA256; h != "" && !isSHA256Hex(h) {
		return nil, opts.invalid("source.http.sha256 %q is not 64 lower-case hex digits; give the sha256 of the file (sha256sum FILE)", h)
	}
	return newHTTPFetcher(src), nil
}

// isSHA256Hex is the schema's rule for source.http.sha256: 64 lower-case
// hex digits, as sha256sum prints them.
func isSHA256Hex(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

func (f *httpFetcher) standsInFor() string { return redactedURL(f.src.URL) }

func (f *httpFetcher) file() (name, sha256 string) { return httpFileName(f.src), f.src.SHA256 }

func newHTTPFetcher(src HTTPSource) *httpFetcher {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.DialContext = (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	transport.TLSHandshakeTimeout = 10 * time.Second
	transport.ResponseHeaderTimeout = 30 * time.Second
	// No overall client timeout: large files may take long. A stalled body
	// is ended by the caller's context.
	return &httpFetcher{src: src, client: &http.Client{Transport: transport}, attempts: 4, backoff: time.Second}
}

// httpFileName is the name the download is saved as: the URL's last path
// segment, or "download" when the path has none.
func httpFileName(s HTTPSource) string {
	u, err := url.Parse(s.URL)
	if err != nil {
		return "download"
	}
	name := path.Base(u.Path)
	if name == "/" || name == "." || name == ".." {
		return "download"
	}
	return name
}

// redactedURL is the URL without credentials: no password, query or
// fragment, which is where signed URLs and tokens live. It is what messages
// and manifests show, since manifests travel inside pushed datasets.
func redactedURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparsable URL)"
	}
	u.RawQuery, u.Fragment, u.RawFragment = "", "", ""
	return u.Redacted()
}

func (f *httpFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	out := newSink(dst)
	shown := redactedURL(f.src.URL)
	wait := f.backoff
	for attempt := 1; ; attempt++ {
		err := f.get(ctx, out)
		if err == nil {
			return out.manifest(shown), nil
		}
		var perm permanentError
		if errors.As(err, &perm) || errors.Is(err, ErrChecksum) || ctx.Err() != nil || attempt == f.attempts {
			return nil, fmt.Errorf("GET %s: %w", shown, err)
		}
		select {
		case <-time.After(wait):
			wait *= 2
		case <-ctx.Done():
			return nil, fmt.Errorf("GET %s: %w", shown, ctx.Err())
		}
	}
}

// permanentError is a failure that retrying will not change, such as a
// 404.
type permanentError struct{ error }

func (f *httpFetcher) get(ctx context.Context, out *sink) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, f.src.URL, nil)
	if err != nil {
		return permanentError{err}
	}
	resp, err := f.client.Do(req)
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err // its message repeats the URL, token and all
	}
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusOK:
		return out.write(httpFileName(f.src), resp.Body, f.src.SHA256)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("server answered %s", resp.Status)
	default:
		return permanentError{fmt.Errorf("server answered %s", resp.Status)}
	}
}
