package adapter

import (
	"context"
	"fmt"
	"io"
	"iter"
	"strings"

	"golang.org/x/sync/errgroup"
)

// bucket is an object store listing: s3 and gcs implement it.
type bucket interface {
	// keys lists the object keys under prefix; an error ends the listing.
	keys(ctx context.Context, prefix string) iter.Seq2[string, error]
	open(ctx context.Context, key string) (io.ReadCloser, error)
	url(key string) string // for messages, e.g. s3://bucket/key
}

// fetchObjects downloads every object under prefix into dst, at most
// parallel at a time, keeping paths relative to the prefix. Downloads start
// while the listing goes on, so memory does not grow with the object count.
func fetchObjects(ctx context.Context, b bucket, prefix, dst string, parallel int) (*Manifest, error) {
	out := newSink(dst)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallel)
	listed := 0
	for key, err := range b.keys(gctx, prefix) {
		if err != nil {
			g.Wait()
			return nil, fmt.Errorf("%s: list: %w", b.url(prefix), err)
		}
		if gctx.Err() != nil {
			break // a download failed; g.Wait reports it
		}
		rel, ok := relativeKey(key, prefix)
		if !ok {
			continue
		}
		if _, err := out.target(rel); err != nil { // refuse before downloading
			g.Wait()
			return nil, fmt.Errorf("%s: %w", b.url(key), err)
		}
		listed++
		g.Go(func() error {
			r, err := b.open(gctx, key)
			if err != nil {
				return fmt.Errorf("%s: %w", b.url(key), err)
			}
			defer r.Close()
			if err := out.write(rel, r, ""); err != nil {
				return fmt.Errorf("%s: %w", b.url(key), err)
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if listed == 0 {
		return nil, fmt.Errorf("%s: no objects under this prefix; check the bucket and prefix", b.url(prefix))
	}
	return out.manifest(b.url(prefix)), nil
}

// relativeKey is an object key's path below the prefix's last "/": with
// prefix "credit/2026/" or "credit/2026/part-", object
// "credit/2026/part-0.csv" is written as "part-0.csv"; with prefix
// "credit/2026" (no slash) as "2026/part-0.csv".
// "Directory" marker objects (ending in "/") yield ok=false. Keys that would
// escape the output directory are refused by the sink's target.
func relativeKey(key, prefix string) (rel string, ok bool) {
	if strings.HasSuffix(key, "/") {
		return "", false
	}
	dir := prefix[:strings.LastIndex(prefix, "/")+1]
	return strings.TrimLeft(strings.TrimPrefix(key, dir), "/"), true
}
