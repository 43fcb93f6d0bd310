package adapter

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/mlc-project/mlc/artifact"
)

func TestOCIPullsADatasetArtifactFromALayout(t *testing.T) {
	ref, err := artifact.ParseRef("oci:" + filepath.Join(t.TempDir(), "store") + ":credit-v1")
	if err != nil {
		t.Fatal(err)
	}
	pushed, err := artifact.Push(context.Background(), filepath.Join(fixtures, "credit"), ref,
		artifact.PushOptions{Kind: artifact.KindDataset})
	if err != nil {
		t.Fatal(err)
	}
	dst, m := mustFetch(t, sourceOf("oci", OCISource{Ref: ref.String()}), Options{})
	assertTree(t, dst, creditFixture)
	if m.Source != pushed.Ref.String() || len(m.Files) != 2 || m.Files[1].Size != int64(len(creditFixture["part-1.csv"])) {
		t.Errorf("manifest %+v, pushed %s", m, pushed.Ref)
	}
}

func TestOCIMissingTagAndBadRef(t *testing.T) {
	ref := "oci:" + filepath.Join(t.TempDir(), "store") + ":absent"
	assertErrContains(t, fetchErr(t, sourceOf("oci", OCISource{Ref: ref}), Options{}), "absent")
	_, err := New(sourceOf("oci", OCISource{Ref: "UPPER/Case:x"}), Options{Dataset: "credit"})
	assertErrContains(t, err, `dataset "credit"`, "source.oci.ref")
}
