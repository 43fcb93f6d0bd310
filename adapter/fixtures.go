package adapter

import (
	"os"
	"path/filepath"
)

// newFixtureFetcher stands in for a networked source (s3, gcs, http) when
// offline: Fixtures/<dataset>/ holds exactly what the online fetch would
// write (the objects under the prefix, or the one file an http URL serves,
// under the URL's last path segment), so pipelines and demos run without a
// network. An http source's sha256 is still verified against the fixture.
func newFixtureFetcher(src networked, kind string, opts Options) (Fetcher, error) {
	if opts.Fixtures == "" {
		return nil, opts.invalid("offline: the %s source is read from --fixtures DIR/%s/; pass --fixtures", kind, opts.Dataset)
	}
	if !filepath.IsLocal(opts.Dataset) {
		return nil, opts.invalid("offline: the dataset name cannot name a fixture directory")
	}
	dir := filepath.Join(opts.Fixtures, opts.Dataset)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, opts.invalid("offline: fixture directory %s does not exist; put the files the %s source would fetch there", dir, kind)
	}
	f := &treeFetcher{base: opts.Fixtures, rel: opts.Dataset, source: src.standsInFor() + " (offline fixture)"}
	if one, ok := src.(oneFile); ok {
		name, sum := one.file()
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return nil, opts.invalid("offline: fixture %s is missing; save what %s serves there", filepath.Join(dir, name), src.standsInFor())
		}
		if sum != "" {
			f.want = map[string]string{name: sum}
		}
	}
	return f, nil
}

// A networked fetcher of one file names it, and its sha256 when the spec
// gives one.
type oneFile interface{ file() (name, sha256 string) }
