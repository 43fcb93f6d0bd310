package adapter

import (
	"bytes"
	"crypto/tls"
	"encoding/pem"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/johannesboyne/gofakes3"
	"github.com/johannesboyne/gofakes3/backend/s3mem"
)

// newS3Server starts an in-process S3 server on loopback holding bucket
// "raw" with objects, and isolates the test from the machine's AWS config.
// wrap, when set, wraps the server's handler to inject faults.
func newS3Server(t testing.TB, tlsOn bool, objects map[string]string, wrap ...func(http.Handler) http.Handler) *httptest.Server {
	t.Helper()
	backend := s3mem.New()
	if err := backend.CreateBucket("raw"); err != nil {
		t.Fatal(err)
	}
	for key, body := range objects {
		if _, err := backend.PutObject("raw", key, nil, bytes.NewReader([]byte(body)), int64(len(body)), nil); err != nil {
			t.Fatal(err)
		}
	}
	handler := gofakes3.New(backend).Server()
	for _, w := range wrap {
		handler = w(handler)
	}
	srv := httptest.NewUnstartedServer(handler)
	if tlsOn {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "",
		"AWS_PROFILE": "", "AWS_CONFIG_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_SHARED_CREDENTIALS_FILE": filepath.Join(t.TempDir(), "none"),
		"AWS_EC2_METADATA_DISABLED":   "true", "AWS_CA_BUNDLE": "",
	} {
		t.Setenv(k, v)
	}
	return srv
}

var s3Objects = map[string]string{
	"credit/2026/part-0.csv":     "a,b\n1,2\n",
	"credit/2026/sub/part-1.csv": "a,b\n3,4\n",
	"credit/2026/sub/":           "", // a "directory" marker, skipped
	"other/x.csv":                "not under the prefix",
}

func TestS3FetchesEveryObjectUnderThePrefix(t *testing.T) {
	srv := newS3Server(t, false, s3Objects)
	dst, m := mustFetch(t, sourceOf("s3", S3Source{Bucket: "raw", Prefix: "credit/2026/", Endpoint: srv.URL}), Options{Parallel: 2})
	assertTree(t, dst, map[string]string{"part-0.csv": "a,b\n1,2\n", "sub/part-1.csv": "a,b\n3,4\n"})
	if m.Source != "s3://raw/credit/2026/" || len(m.Files) != 2 || m.Files[1].Path != "sub/part-1.csv" || m.Files[1].Size != 8 {
		t.Errorf("manifest %+v", m)
	}
}

func TestS3MissingBucketAndEmptyPrefix(t *testing.T) {
	srv := newS3Server(t, false, s3Objects)
	err := fetchErr(t, sourceOf("s3", S3Source{Bucket: "nope", Endpoint: srv.URL}), Options{})
	assertErrContains(t, err, "s3://nope/", "NoSuchBucket")
	err = fetchErr(t, sourceOf("s3", S3Source{Bucket: "raw", Prefix: "missing/", Endpoint: srv.URL}), Options{})
	assertErrContains(t, err, "s3://raw/missing/", "no objects under this prefix")
}

// failObjectGets answers the first n GETs of object path (e.g.
// "/raw/credit/2026/part-0.csv") with status and an S3 error code.
func failObjectGets(path string, n int32, status int, code string) func(http.Handler) http.Handler {
	var failed atomic.Int32
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet && r.URL.Path == path && failed.Add(1) <= n {
				w.Header().Set("Content-Type", "application/xml")
				w.WriteHeader(status)
				fmt.Fprintf(w, "<Error><Code>%s</Code><Message>injected</Message></Error>", code)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func TestS3RetriesAServerError(t *testing.T) {
	srv := newS3Server(t, false, s3Objects, failObjectGets("/raw/credit/2026/part-0.csv", 1, http.StatusInternalServerError, "InternalError"))
	dst, _ := mustFetch(t, sourceOf("s3", S3Source{Bucket: "raw", Prefix: "credit/2026/", Endpoint: srv.URL}), Options{})
	assertTree(t, dst, map[string]string{"part-0.csv": "a,b\n1,2\n", "sub/part-1.csv": "a,b\n3,4\n"})
}

// An object listed but gone by the time it is downloaded fails the fetch.
func TestS3ObjectDeletedAfterListing(t *testing.T) {
	srv := newS3Server(t, false, s3Objects, failObjectGets("/raw/credit/2026/part-0.csv", 100, http.StatusNotFound, "NoSuchKey"))
	err := fetchErr(t, sourceOf("s3", S3Source{Bucket: "raw", Prefix: "credit/2026/", Endpoint: srv.URL}), Options{})
	assertErrContains(t, err, "s3://raw/credit/2026/part-0.csv", "NoSuchKey")
}

func TestS3RefusesKeysThatEscapeTheOutputDirectory(t *testing.T) {
	srv := newS3Server(t, false, map[string]string{"data/ok.csv": "ok", "data/../../evil": "x"})
	err := fetchErr(t, sourceOf("s3", S3Source{Bucket: "raw", Prefix: "data/", Endpoint: srv.URL}), Options{Parallel: 1})
	assertErrContains(t, err, "s3://raw/data/../../evil", "outside the output directory")
}

func TestS3WithAWSCABundleSetToTheSystemBundle(t *testing.T) {
	const system = "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(system); err != nil {
		t.Skip("no system CA bundle at", system)
	}
	srv := newS3Server(t, false, s3Objects)
	t.Setenv("AWS_CA_BUNDLE", system)
	dst, _ := mustFetch(t, sourceOf("s3", S3Source{Bucket: "raw", Prefix: "credit/2026/part-0", Endpoint: srv.URL}), Options{})
	assertTree(t, dst, map[string]string{"part-0.csv": "a,b\n1,2\n"})
}

// The server's self-signed certificate is trusted exactly when
// AWS_CA_BUNDLE names it: the bundle is loaded, not ignored.
func TestS3TrustsTheCertificatesInAWSCABundle(t *testing.T) {
	srv := newS3Server(t, true, s3Objects)
	src := sourceOf("s3", S3Source{Bucket: "raw", Prefix: "credit/2026/part-0", Endpoint: srv.URL})

	assertErrContains(t, fetchErr(t, src, Options{}), "certificate")

	t.Setenv("AWS_CA_BUNDLE", filepath.Join(t.TempDir(), "absent.pem"))
	assertErrContains(t, fetchErr(t, src, Options{}), "absent.pem")

	bundle := filepath.Join(t.TempDir(), "ca.pem")
	writeCertPEM(t, bundle, srv.TLS)
	t.Setenv("AWS_CA_BUNDLE", bundle)
	dst, _ := mustFetch(t, src, Options{})
	assertTree(t, dst, map[string]string{"part-0.csv": "a,b\n1,2\n"})
}

func writeCertPEM(t *testing.T, path string, cfg *tls.Config) {
	t.Helper()
	var buf bytes.Buffer
	for _, der := range cfg.Certificates[0].Certificate {
		pem.Encode(&buf, &pem.Block{Type: "CERTIFICATE", Bytes: der})
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}
