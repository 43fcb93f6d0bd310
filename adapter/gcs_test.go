package adapter

import (
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
)

// newGCSServer serves fake-gcs-server in process on loopback with objects
// in bucket "raw" and returns its URL. wrap, when set, wraps the handler to
// inject faults.
func newGCSServer(t *testing.T, objects map[string]string, wrap ...func(http.Handler) http.Handler) string {
	t.Helper()
	var initial []fakestorage.Object
	for name, body := range objects {
		initial = append(initial, fakestorage.Object{
			ObjectAttrs: fakestorage.ObjectAttrs{BucketName: "raw", Name: name},
			Content:     []byte(body),
		})
	}
	fake, err := fakestorage.NewServerWithOptions(fakestorage.Options{InitialObjects: initial, NoListener: true})
	if err != nil {
		t.Fatal(err)
	}
	handler := fake.HTTPHandler()
	for _, w := range wrap {
		handler = w(handler)
	}
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	return srv.URL
}

func TestGCSFetchesEveryObjectUnderThePrefixThroughTheEmulatorVariable(t *testing.T) {
	srv := newGCSServer(t, s3Objects)
	t.Setenv("STORAGE_EMULATOR_HOST", srv)
	dst, m := mustFetch(t, sourceOf("gcs", GCSSource{Bucket: "raw", Prefix: "credit/2026/"}), Options{})
	assertTree(t, dst, map[string]string{"part-0.csv": "a,b\n1,2\n", "sub/part-1.csv": "a,b\n3,4\n"})
	if m.Source != "gs://raw/credit/2026/" || len(m.Files) != 2 {
		t.Errorf("manifest %+v", m)
	}
}

func TestGCSEndpointField(t *testing.T) {
	srv := newGCSServer(t, s3Objects)
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	dst, _ := mustFetch(t, sourceOf("gcs", GCSSource{Bucket: "raw", Prefix: "other/", Endpoint: srv + "/storage/v1/"}), Options{})
	assertTree(t, dst, map[string]string{"x.csv": "not under the prefix"})
}

func TestGCSMissingBucketEmptyPrefixAndEscapingNames(t *testing.T) {
	srv := newGCSServer(t, map[string]string{"data/ok.csv": "ok", "data/../../evil": "x"})
	t.Setenv("STORAGE_EMULATOR_HOST", srv)
	assertErrContains(t, fetchErr(t, sourceOf("gcs", GCSSource{Bucket: "nope"}), Options{}), "gs://nope/", "list")
	assertErrContains(t, fetchErr(t, sourceOf("gcs", GCSSource{Bucket: "raw", Prefix: "missing/"}), Options{}), "no objects under this prefix")
	assertErrContains(t, fetchErr(t, sourceOf("gcs", GCSSource{Bucket: "raw", Prefix: "data/"}), Options{Parallel: 1}),
		"gs://raw/data/../../evil", "outside the output directory")
}

// The client library retries a 503 on a read.
func TestGCSRetriesAServerError(t *testing.T) {
	var failed atomic.Int32
	failFirstRead := func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Query().Get("alt") == "media" && failed.Add(1) == 1 {
				http.Error(w, "injected", http.StatusServiceUnavailable)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
	srv := newGCSServer(t, s3Objects, failFirstRead)
	t.Setenv("STORAGE_EMULATOR_HOST", srv)
	dst, _ := mustFetch(t, sourceOf("gcs", GCSSource{Bucket: "raw", Prefix: "other/"}), Options{})
	assertTree(t, dst, map[string]string{"x.csv": "not under the prefix"})
	if failed.Load() < 2 {
		t.Errorf("%d reads, want a failed one and its retry", failed.Load())
	}
}
