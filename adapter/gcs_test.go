package adapter

import (
	"testing"

	"github.com/fsouza/fake-gcs-server/fakestorage"
)

// newGCSServer starts fake-gcs-server in process on loopback with objects
// in bucket "raw".
func newGCSServer(t *testing.T, objects map[string]string) *fakestorage.Server {
	t.Helper()
	var initial []fakestorage.Object
	for name, body := range objects {
		initial = append(initial, fakestorage.Object{
			ObjectAttrs: fakestorage.ObjectAttrs{BucketName: "raw", Name: name},
			Content:     []byte(body),
		})
	}
	srv, err := fakestorage.NewServerWithOptions(fakestorage.Options{
		InitialObjects: initial, Scheme: "http", Host: "127.0.0.1", NoListener: false,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	t.Setenv("GOOGLE_APPLICATION_CREDENTIALS", "")
	return srv
}

func TestGCSFetchesEveryObjectUnderThePrefixThroughTheEmulatorVariable(t *testing.T) {
	srv := newGCSServer(t, s3Objects)
	t.Setenv("STORAGE_EMULATOR_HOST", srv.URL())
	dst, m := mustFetch(t, Source{GCS: &GCSSource{Bucket: "raw", Prefix: "credit/2026/"}}, Options{})
	assertTree(t, dst, map[string]string{"part-0.csv": "a,b\n1,2\n", "sub/part-1.csv": "a,b\n3,4\n"})
	if m.Source != "gs://raw/credit/2026/" || len(m.Files) != 2 {
		t.Errorf("manifest %+v", m)
	}
}

func TestGCSEndpointField(t *testing.T) {
	srv := newGCSServer(t, s3Objects)
	t.Setenv("STORAGE_EMULATOR_HOST", "")
	dst, _ := mustFetch(t, Source{GCS: &GCSSource{Bucket: "raw", Prefix: "other/", Endpoint: srv.URL() + "/storage/v1/"}}, Options{})
	assertTree(t, dst, map[string]string{"x.csv": "not under the prefix"})
}

func TestGCSMissingBucketEmptyPrefixAndEscapingNames(t *testing.T) {
	srv := newGCSServer(t, map[string]string{"data/ok.csv": "ok", "data/../../evil": "x"})
	t.Setenv("STORAGE_EMULATOR_HOST", srv.URL())
	assertErrContains(t, fetchErr(t, Source{GCS: &GCSSource{Bucket: "nope"}}, Options{}), "gs://nope/", "list")
	assertErrContains(t, fetchErr(t, Source{GCS: &GCSSource{Bucket: "raw", Prefix: "missing/"}}, Options{}), "no objects under this prefix")
	assertErrContains(t, fetchErr(t, Source{GCS: &GCSSource{Bucket: "raw", Prefix: "data/"}}, Options{Parallel: 1}),
		"gs://raw/data/../../evil", "outside the output directory")
}
