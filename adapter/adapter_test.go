package adapter

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"

	"github.com/mlc-project/mlc/schema"
)

func TestNewRejectsBadSources(t *testing.T) {
	opts := Options{Dataset: "credit"}
	for _, tc := range []struct {
		name string
		src  Source
		want string
	}{
		{"none", Source{}, "no source adapter set"},
		{"two", Source{"s3": {"bucket": "b"}, "http": {"url": "https://x/y"}}, "2 source adapters set (http, s3)"},
		{"s3 bucket", sourceOf("s3", S3Source{}), "source.s3.bucket is empty"},
		{"s3 endpoint", sourceOf("s3", S3Source{Bucket: "b", Endpoint: "minio:9000"}), "source.s3.endpoint"},
		{"gcs bucket", sourceOf("gcs", GCSSource{}), "source.gcs.bucket is empty"},
		{"http url", sourceOf("http", HTTPSource{URL: "ftp://x/y"}), "source.http.url"},
		{"http sha", sourceOf("http", HTTPSource{URL: "https://x/y", SHA256: "abc"}), "not 64 lower-case hex digits"},
		// The schema's rule, so what vet accepts is what fetch accepts.
		{"http sha upper case", sourceOf("http", HTTPSource{URL: "https://x/y", SHA256: strings.Repeat("AB", 32)}), "not 64 lower-case hex digits"},
		{"git repo", sourceOf("git", GitSource{}), "source.git.repo is empty"},
		{"git path", sourceOf("git", GitSource{Repo: "/r", Path: "../etc"}), "source.git.path"},
		{"oci ref", sourceOf("oci", OCISource{}), "source.oci.ref is empty"},
		{"local path", sourceOf("local", LocalSource{}), "source.local.path is empty"},
		{"local escape", sourceOf("local", LocalSource{Path: "../secrets"}), "leaves the spec directory"},
		{"offline git", sourceOf("git", GitSource{Repo: "https://github.com/acme/data"}), "needs the network"},
		{"offline no fixtures", sourceOf("s3", S3Source{Bucket: "b"}), "pass --fixtures"},
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

// Every adapter the schema's #Source offers is registered, and no other:
// the schema field and the adapter's file are the two halves of one.
func TestSchemaSourcesAreAdapters(t *testing.T) {
	v := cuecontext.New().CompileBytes(schema.Source, cue.Filename(schema.Filename)).LookupPath(cue.ParsePath("#Source"))
	it, err := v.Fields(cue.Optional(true))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for it.Next() {
		names = append(names, it.Selector().Unquoted())
	}
	slices.Sort(names)
	if !slices.Equal(names, Kinds()) {
		t.Errorf("#Source offers %v, the adapter package registers %v", names, Kinds())
	}
}
