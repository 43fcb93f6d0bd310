package adapter

import (
	"errors"
	"strings"
	"testing"
)

func TestNewRejectsBadSources(t *testing.T) {
	opts := Options{Dataset: "credit"}
	for _, tc := range []struct {
		name string
		src  Source
		want string
	}{
		{"none", Source{}, "no source adapter set"},
		{"two", Source{S3: &S3Source{Bucket: "b"}, HTTP: &HTTPSource{URL: "https://x/y"}}, "2 source adapters set (s3, http)"},
		{"s3 bucket", Source{S3: &S3Source{}}, "source.s3.bucket is empty"},
		{"s3 endpoint", Source{S3: &S3Source{Bucket: "b", Endpoint: "minio:9000"}}, "source.s3.endpoint"},
		{"gcs bucket", Source{GCS: &GCSSource{}}, "source.gcs.bucket is empty"},
		{"http url", Source{HTTP: &HTTPSource{URL: "ftp://x/y"}}, "source.http.url"},
		{"http sha", Source{HTTP: &HTTPSource{URL: "https://x/y", SHA256: "abc"}}, "not 64 lower-case hex digits"},
		// The schema's rule, so what vet accepts is what fetch accepts.
		{"http sha upper case", Source{HTTP: &HTTPSource{URL: "https://x/y", SHA256: strings.Repeat("AB", 32)}}, "not 64 lower-case hex digits"},
		{"git repo", Source{Git: &GitSource{}}, "source.git.repo is empty"},
		{"git path", Source{Git: &GitSource{Repo: "/r", Path: "../etc"}}, "source.git.path"},
		{"oci ref", Source{OCI: &OCISource{}}, "source.oci.ref is empty"},
		{"local path", Source{Local: &LocalSource{}}, "source.local.path is empty"},
		{"local escape", Source{Local: &LocalSource{Path: "../secrets"}}, "leaves the spec directory"},
		{"offline git", Source{Git: &GitSource{Repo: "https://github.com/acme/data"}}, "needs the network"},
		{"offline no fixtures", Source{S3: &S3Source{Bucket: "b"}}, "pass --fixtures"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := opts
			o.Offline = tc.name == "offline git" || tc.name == "offline no fixtures"
			_, err := New(tc.src, o)
			var se *SpecError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SpecError", err)
			}
			assertErrContains(t, err, `dataset "credit"`, tc.want)
		})
	}
}
