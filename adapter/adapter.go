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
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/spec"
)

// Source is datasets.NAME.source (or monitor.drift.current) of
// pipeline.cue, as the compiler decodes it: the one adapter set and its
// fields.
type Source = spec.Source

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

// An adapter makes the Fetcher of one kind of source from its fields.
type adapter func(fields map[string]any, opts Options) (Fetcher, error)

// adapters by the name #Source gives them; each adapter's file registers
// itself.
var adapters = map[string]adapter{}

// register adds the adapter name, whose fields decode (as JSON does) into
// T and whose newFetcher checks them and returns its Fetcher.
func register[T any](name string, newFetcher func(T, Options) (Fetcher, error)) {
	adapters[name] = func(fields map[string]any, opts Options) (Fetcher, error) {
		var src T
		if err := decodeFields(fields, &src); err != nil {
			return nil, opts.invalid("source.%s: %v; write it as docs/adapters.md shows", name, err)
		}
		return newFetcher(src, opts)
	}
}

func decodeFields(fields map[string]any, into any) error {
	b, err := json.Marshal(fields)
	if err != nil {
		return err
	}
	d := json.NewDecoder(bytes.NewReader(b))
	d.DisallowUnknownFields()
	return d.Decode(into)
}

// Kinds are the adapters mlc has, sorted.
func Kinds() []string { return slices.Sorted(maps.Keys(adapters)) }

// A networked fetcher is replaced offline by a fixture directory holding
// what it would fetch; standsInFor names that location without
// credentials.
type networked interface {
	Fetcher
	standsInFor() string
}

// New checks that exactly one adapter is set with valid fields and returns
// its Fetcher.
func New(src Source, opts Options) (Fetcher, error) {
	if msg := src.ExactlyOne(); msg != "" {
		return nil, opts.invalid("source: %s; set exactly one of %s", msg, strings.Join(Kinds(), ", "))
	}
	kind := src.Kinds()[0]
	newFetcher, ok := adapters[kind]
	if !ok {
		return nil, opts.invalid("source.%s: no such adapter; use one of %s", kind, strings.Join(Kinds(), ", "))
	}
	f, err := newFetcher(src[kind], opts)
	if n, ok := f.(networked); ok && err == nil && opts.Offline {
		return newFixtureFetcher(n, kind, opts)
	}
	return f, err
}

// required refuses an empty required field, saying what to give instead.
func (o Options) required(field, value, what string) error {
	if value == "" {
		return o.invalid("%s is empty; %s", field, what)
	}
	return nil
}

// checkBucket checks the fields s3 and gcs share.
func (o Options) checkBucket(kind, bucket, endpoint string) error {
	if err := o.required("source."+kind+".bucket", bucket, "name the bucket to list"); err != nil {
		return err
	}
	if endpoint != "" {
		return o.checkURL("source."+kind+".endpoint", endpoint)
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
