package adapter

import (
	"os"
	"path/filepath"
)

// newFixtureFetcher stands in for an s3, gcs or http source when offline:
// Fixtures/<dataset>/ holds exactly what the online fetch would write (the
// objects under the prefix, or the one file an http URL serves, under the
// URL's last path segment), so pipelines and demos run without a network.
// An http source's sha256 is still verified against the fixture.
func newFixtureFetcher(src Source, opts Options) (Fetcher, error) {
	if opts.Fixtures == "" {
		return nil, opts.invalid("offline: the %s source is read from --fixtures DIR/%s/; pass --fixtures", src.Kinds()[0], opts.Dataset)
	}
	if !filepath.IsLocal(opts.Dataset) {
		return nil, opts.invalid("offline: the dataset name cannot name a fixture directory")
	}
	dir := filepath.Join(opts.Fixtures, opts.Dataset)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, opts.invalid("offline: fixture directory %s does not exist; put the files the %s source would fetch there", dir, src.Kinds()[0])
	}
	f := &treeFetcher{base: opts.Fixtures, rel: opts.Dataset, source: standsInFor(src) + " (offline fixture)"}
	if h := src.HTTP; h != nil {
		name := httpFileName(*h)
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return nil, opts.invalid("offline: fixture %s is missing; save what %s serves there", filepath.Join(dir, name), redactedURL(h.URL))
		}
		if h.SHA256 != "" {
			f.want = map[string]string{name: h.SHA256}
		}
	}
	return f, nil
}

// standsInFor names the network location a fixture replaces.
func standsInFor(src Source) string {
	switch {
	case src.S3 != nil:
		return "s3://" + src.S3.Bucket + "/" + src.S3.Prefix
	case src.GCS != nil:
		return "gs://" + src.GCS.Bucket + "/" + src.GCS.Prefix
	default:
		return redactedURL(src.HTTP.URL)
	}
}
