package adapter

import (
	"context"
	"errors"
	"io"
	"iter"
	"os"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// gcsFetcher downloads every object under a prefix. The client library
// finds Application Default Credentials and honours STORAGE_EMULATOR_HOST
// itself, and checks reads against the objects' CRC32C.
type gcsFetcher struct {
	src      GCSSource
	parallel int
}

// GCSSource is every object under Prefix of Bucket.
type GCSSource struct {
	Bucket   string `json:"bucket"`
	Prefix   string `json:"prefix"`
	Endpoint string `json:"endpoint,omitempty"`
}

func init() { register("gcs", newGCSFetcher) }

func newGCSFetcher(src GCSSource, opts Options) (Fetcher, error) {
	if err := opts.checkBucket("gcs", src.Bucket, src.Endpoint); err != nil {
		return nil, err
	}
	return &gcsFetcher{src: src, parallel: opts.parallel()}, nil
}

func (f *gcsFetcher) standsInFor() string { return "gs://" + f.src.Bucket + "/" + f.src.Prefix }

func (f *gcsFetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	client, err := storage.NewClient(ctx, f.clientOptions()...)
	if err != nil {
		return nil, err
	}
	defer client.Close()
	return fetchObjects(ctx, gcsBucket{client.Bucket(f.src.Bucket)}, f.src.Prefix, dst, f.parallel)
}

// clientOptions reads through the JSON API, which emulators serve as well
// as GCS does, and points the client at a custom endpoint if set. Such
// endpoints are mostly emulators and private servers, so requests go
// unauthenticated unless GOOGLE_APPLICATION_CREDENTIALS names a
// credentials file.
func (f *gcsFetcher) clientOptions() []option.ClientOption {
	opts := []option.ClientOption{storage.WithJSONReads()}
	if f.src.Endpoint == "" {
		return opts
	}
	opts = append(opts, option.WithEndpoint(f.src.Endpoint))
	if os.Getenv("GOOGLE_APPLICATION_CREDENTIALS") == "" {
		opts = append(opts, option.WithoutAuthentication())
	}
	return opts
}

type gcsBucket struct{ h *storage.BucketHandle }

func (b gcsBucket) url(key string) string { return "gs://" + b.h.BucketName() + "/" + key }

func (b gcsBucket) keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		query := &storage.Query{Prefix: prefix}
		if err := query.SetAttrSelection([]string{"Name"}); err != nil {
			yield("", err)
			return
		}
		objects := b.h.Objects(ctx, query)
		for {
			attrs, err := objects.Next()
			if errors.Is(err, iterator.Done) {
				return
			}
			if err != nil {
				yield("", err)
				return
			}
			if !yield(attrs.Name, nil) {
				return
			}
		}
	}
}

func (b gcsBucket) open(ctx context.Context, key string) (io.ReadCloser, error) {
	return b.h.Object(key).NewReader(ctx)
}
