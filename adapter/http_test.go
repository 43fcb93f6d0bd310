package adapter

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

const httpBody = "age,label\n30,1\n"

func httpBodySHA() string {
	sum := sha256.Sum256([]byte(httpBody))
	return hex.EncodeToString(sum[:])
}

// serveFlaky answers the first failures requests with status, then the body.
func serveFlaky(t *testing.T, failures int32, status int) (*httptest.Server, *atomic.Int32) {
	t.Helper()
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) <= failures {
			w.WriteHeader(status)
			return
		}
		w.Write([]byte(httpBody))
	}))
	t.Cleanup(srv.Close)
	return srv, &calls
}

// fetchHTTP runs the http adapter without real backoff delays.
func fetchHTTP(t *testing.T, src HTTPSource) (string, *Manifest, error) {
	t.Helper()
	if _, err := New(sourceOf("http", src), Options{}); err != nil {
		t.Fatal(err)
	}
	f := newHTTPFetcher(src)
	f.backoff = 0
	dst := t.TempDir()
	m, err := f.Fetch(context.Background(), dst)
	return dst, m, err
}

func TestHTTPDownloadsAndVerifiesSHA256(t *testing.T) {
	srv, _ := serveFlaky(t, 0, 0)
	dst, m, err := fetchHTTP(t, HTTPSource{URL: srv.URL + "/data/credit.csv?token=s3cret", SHA256: httpBodySHA()})
	if err != nil {
		t.Fatal(err)
	}
	assertTree(t, dst, map[string]string{"credit.csv": httpBody})
	if m.Source != srv.URL+"/data/credit.csv" || len(m.Files) != 1 || m.Files[0].SHA256 != httpBodySHA() {
		t.Errorf("manifest %+v, want the URL without its token", m)
	}
}

func TestHTTPRetriesServerErrors(t *testing.T) {
	srv, calls := serveFlaky(t, 2, http.StatusInternalServerError)
	dst, _, err := fetchHTTP(t, HTTPSource{URL: srv.URL + "/credit.csv"})
	if err != nil {
		t.Fatal(err)
	}
	assertTree(t, dst, map[string]string{"credit.csv": httpBody})
	if calls.Load() != 3 {
		t.Errorf("%d requests, want 3 (two 500s, then success)", calls.Load())
	}
}

func TestHTTPGivesUpAfterTheLastAttempt(t *testing.T) {
	srv, calls := serveFlaky(t, 100, http.StatusServiceUnavailable)
	dst, _, err := fetchHTTP(t, HTTPSource{URL: srv.URL + "/credit.csv"})
	assertErrContains(t, err, "503")
	assertTree(t, dst, map[string]string{})
	if calls.Load() != 4 {
		t.Errorf("%d requests, want 4 attempts", calls.Load())
	}
}

func TestHTTPDoesNotRetryNotFound(t *testing.T) {
	srv, calls := serveFlaky(t, 100, http.StatusNotFound)
	_, _, err := fetchHTTP(t, HTTPSource{URL: srv.URL + "/credit.csv"})
	assertErrContains(t, err, "404 Not Found", srv.URL)
	if calls.Load() != 1 {
		t.Errorf("%d requests, want 1", calls.Load())
	}
}

func TestHTTPSHA256MismatchLeavesNothing(t *testing.T) {
	srv, calls := serveFlaky(t, 0, 0)
	other := sha256.Sum256([]byte("something else"))
	dst, _, err := fetchHTTP(t, HTTPSource{URL: srv.URL + "/credit.csv", SHA256: hex.EncodeToString(other[:])})
	if !errors.Is(err, ErrChecksum) {
		t.Fatalf("error %v, want ErrChecksum", err)
	}
	assertTree(t, dst, map[string]string{})
	if calls.Load() != 1 {
		t.Errorf("%d requests, want 1: a mismatch is not retried", calls.Load())
	}
}

func TestHTTPFileNames(t *testing.T) {
	for url, want := range map[string]string{
		"https://x/a/b.csv?q=1": "b.csv",
		"https://x/":            "download",
		"https://x":             "download",
		"https://x/a%20b.csv":   "a b.csv",
		"https://x/..":          "download",
	} {
		if got := httpFileName(HTTPSource{URL: url}); got != want {
			t.Errorf("httpFileName(%q) = %q, want %q", url, got, want)
		}
	}
}

// A body cut off half way is retried, and the partial file never appears.
func TestHTTPRetriesABodyCutOffHalfWay(t *testing.T) {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.Header().Set("Content-Length", "1000")
			w.Write([]byte(httpBody[:5]))
			conn, _, _ := w.(http.Hijacker).Hijack()
			conn.Close()
			return
		}
		w.Write([]byte(httpBody))
	}))
	t.Cleanup(srv.Close)
	dst, _, err := fetchHTTP(t, HTTPSource{URL: srv.URL + "/credit.csv", SHA256: httpBodySHA()})
	if err != nil {
		t.Fatal(err)
	}
	assertTree(t, dst, map[string]string{"credit.csv": httpBody})
}

func TestHTTPCancelledMidBodyLeavesNothing(t *testing.T) {
	started := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(httpBody[:5]))
		w.(http.Flusher).Flush()
		close(started)
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-started; cancel() }()
	f := newHTTPFetcher(HTTPSource{URL: srv.URL + "/credit.csv"})
	dst := t.TempDir()
	if _, err := f.Fetch(ctx, dst); !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	assertTree(t, dst, map[string]string{})
}

func TestHTTPMessagesDoNotShowTokens(t *testing.T) {
	srv, _ := serveFlaky(t, 100, http.StatusForbidden)
	_, _, err := fetchHTTP(t, HTTPSource{URL: "http://user:pw@" + strings.TrimPrefix(srv.URL, "http://") + "/x.csv?sig=s3cret"})
	assertErrContains(t, err, "403")
	_, _, err2 := fetchHTTP(t, HTTPSource{URL: "http://127.0.0.1:1/x.csv?sig=s3cret"}) // nothing listens on port 1
	for _, e := range []error{err, err2} {
		if e == nil || strings.Contains(e.Error(), "s3cret") || strings.Contains(e.Error(), ":pw@") {
			t.Errorf("error %v shows a credential", e)
		}
	}
}
