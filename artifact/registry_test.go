package artifact

import (
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// testRegistry is go-containerregistry's in-process registry on loopback,
// behind a wrapper that counts uploaded bytes and injects faults.
type testRegistry struct {
	srv  *httptest.Server
	host string

	uploaded atomic.Int64 // blob bytes received in PATCH/PUT bodies
	requests atomic.Int64

	mu    sync.Mutex
	fault func(w http.ResponseWriter, r *http.Request) bool // true: handled, stop
	seen  []string                                          // "METHOD path?query"
}

func newTestRegistry(t testing.TB) *testRegistry {
	t.Helper()
	reg := registry.New(registry.Logger(log.New(io.Discard, "", 0)), registry.WithReferrersSupport(true))
	tr := &testRegistry{}
	tr.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tr.requests.Add(1)
		tr.mu.Lock()
		tr.seen = append(tr.seen, r.Method+" "+r.URL.RequestURI())
		fault := tr.fault
		tr.mu.Unlock()
		if fault != nil && fault(w, r) {
			return
		}
		if strings.Contains(r.URL.Path, "/blobs/uploads/") && (r.Method == http.MethodPatch || r.Method == http.MethodPut) {
			r.Body = &countBody{ReadCloser: r.Body, n: &tr.uploaded}
		}
		reg.ServeHTTP(w, r)
	}))
	t.Cleanup(tr.srv.Close)
	tr.host = strings.TrimPrefix(tr.srv.URL, "http://")
	return tr
}

// ref is a reference into the test registry.
func (tr *testRegistry) ref(t testing.TB, repoAndTag string) Ref {
	t.Helper()
	r, err := ParseRef(tr.host + "/" + repoAndTag)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func (tr *testRegistry) setFault(f func(w http.ResponseWriter, r *http.Request) bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.fault = f
}

// count returns how many requests so far match method and contain sub.
func (tr *testRegistry) count(method, sub string) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	n := 0
	for _, s := range tr.seen {
		if strings.HasPrefix(s, method+" ") && strings.Contains(s, sub) {
			n++
		}
	}
	return n
}

// testOptions reach the test registry quickly: plain HTTP, fast retries.
func testOptions() Options {
	return Options{PlainHTTP: true, RetryDelay: time.Millisecond}
}

type countBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c *countBody) Read(p []byte) (int, error) {
	k, err := c.ReadCloser.Read(p)
	c.n.Add(int64(k))
	return k, err
}
