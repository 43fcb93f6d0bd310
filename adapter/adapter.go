// Package adapter fetches a dataset's raw files from where they live (S3,
// GCS, HTTP, git, an mlc OCI artifact or a local directory) into a local
// directory, the first stage of every compiled pipeline (`mlc fetch`).
//
// Every adapter streams each file to a temporary name and renames it into
// place only once it is complete, so a reader never sees a half-written
// file, and reports what it wrote as a Manifest (path, size, sha256).
// FetchInto adds whole-directory atomicity on top: the output directory
// appears only when every file arrived.
package adapter

import (
	"context"
	"fmt"
	"net/url"

	"github.com/mlc-project/mlc/spec"
)

// Source is datasets.NAME.source (or monitor.drift.current) of
// pipeline.cue, as the compiler decodes it: exactly one field is set. The
// compiler owns the spec's shape; these aliases keep one definition.
type (
	Source      = spec.Source
	S3Source    = spec.S3Source    // every object under Prefix of Bucket; Endpoint for S3-compatible servers
	GCSSource   = spec.GCSSource   // every object under Prefix of Bucket
	HTTPSource  = spec.HTTPSource  // one URL; SHA256 (hex) verified when set
	GitSource   = spec.GitSource   // Path (whole tree when empty) at Ref of Repo
	OCISource   = spec.OCISource   // an mlc dataset artifact
	LocalSource = spec.LocalSource // a file or directory relative to the spec directory
)

// Fetcher writes a source's files into dst, an existing directory.
type Fetcher interface {
	Fetch(ctx context.Context, dst string) (*Manifest, error)
}

// Options say where the spec lives and whether the network may be used.
type Options struct {
	Dataset string // name in the spec, for messages and fixture lookup
	SpecDir string // local paths and local git repos are relative to it
	// Offline replaces s3, gcs and http sources by the directory
	// Fixtures/<Dataset>/, and refuses git sources that need the network.
	Offline  bool
	Fixtures string
	// Parallel bounds concurrent object downloads (s3, gcs); 0 means 8.
	Parallel int
}

// SpecError is a source the spec got wrong (as opposed to one that could
// not be fetched); the command reports it as bad input.
type SpecError struct {
	Dataset string
	Msg     string // what is wrong and what to do
}

func (e *SpecError) Error() string { return fmt.Sprintf("dataset %q: %s", e.Dataset, e.Msg) }

// New checks that exactly one adapter is set with its required fields and
// returns its Fetcher.
func New(src Source, opts Options) (Fetcher, error) {
	if msg := src.ExactlyOne(); msg != "" {
		return nil, opts.invalid("source: %s; %s", msg, spec.ExactlyOneHint)
	}
	if err := checkSource(src, opts); err != nil {
		return nil, err
	}
	if opts.Offline && (src.S3 != nil || src.GCS != nil || src.HTTP != nil) {
		return newFixtureFetcher(src, opts)
	}
	switch {
	case src.S3 != nil:
		return &s3Fetcher{src: *src.S3, parallel: opts.parallel()}, nil
	case src.GCS != nil:
		return &gcsFetcher{src: *src.GCS, parallel: opts.parallel()}, nil
	case src.HTTP != nil:
		return newHTTPFetcher(*src.HTTP), nil
	case src.Git != nil:
		return newGitFetcher(*src.Git, opts)
	case src.OCI != nil:
		return newOCIFetcher(*src.OCI, opts)
	default:
		return newLocalFetcher(*src.Local, opts)
	}
}

// checkSource validates the required fields of the one adapter that is
// set.
func checkSource(s Source, opts Options) error {
	switch {
	case s.S3 != nil && s.S3.Bucket == "":
		return opts.invalid("source.s3.bucket is empty; name the bucket to list")
	case s.S3 != nil && s.S3.Endpoint != "":
		return opts.checkURL("source.s3.endpoint", s.S3.Endpoint)
	case s.GCS != nil && s.GCS.Bucket == "":
		return opts.invalid("source.gcs.bucket is empty; name the bucket to list")
	case s.GCS != nil && s.GCS.Endpoint != "":
		return opts.checkURL("source.gcs.endpoint", s.GCS.Endpoint)
	case s.HTTP != nil:
		if err := opts.checkURL("source.http.url", s.HTTP.URL); err != nil {
			return err
		}
		if h := s.HTTP.SHA256; h != "" && !spec.IsSHA256Hex(h) {
			return opts.invalid("source.http.sha256 %q is not 64 lower-case hex digits; give the sha256 of the file (sha256sum FILE)", h)
		}
	case s.Git != nil && s.Git.Repo == "":
		return opts.invalid("source.git.repo is empty; give a clone URL or a path to a local repository")
	case s.OCI != nil && s.OCI.Ref == "":
		return opts.invalid("source.oci.ref is empty; give an artifact reference such as ghcr.io/acme/ml/credit:v1")
	case s.Local != nil && s.Local.Path == "":
		return opts.invalid("source.local.path is empty; give a file or directory relative to the spec directory")
	}
	return nil
}

func (o Options) checkURL(field, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return o.invalid("%s %q is not an http(s) URL; write it as https://host[:port]/...", field, raw)
	}
	return nil
}

// invalid formats a spec error that names the dataset.
func (o Options) invalid(format string, args ...any) error {
	return &SpecError{Dataset: o.Dataset, Msg: fmt.Sprintf(format, args...)}
}

func (o Options) parallel() int {
	if o.Parallel > 0 {
		return o.Parallel
	}
	return 8
}
