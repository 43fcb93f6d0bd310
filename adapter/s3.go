package adapter

import (
	"context"
	"io"
	"iter"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// s3Fetcher downloads every object under a prefix. Credentials, region and
// AWS_CA_BUNDLE come from the SDK's standard chain (env, shared config,
// SSO, web identity, instance roles); the SDK's own HTTP client loads
// AWS_CA_BUNDLE into its TLS roots, which is why we keep that client.
type s3Fetcher struct {
	src      S3Source
	parallel int
}

// S3Source is every object under Prefix of Bucket; Endpoint for
// S3-compatible servers.
type S3Source struct {
	Bucket   string `json:"bucket"`
	Prefix   string `json:"prefix"`
	Region   string `json:"region,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
}

func init() { register("s3", newS3Fetcher) }

func newS3Fetcher(src S3Source, opts Options) (Fetcher, error) {
	if err := opts.checkBucket("s3", src.Bucket, src.Endpoint); err != nil {
		return nil, err
	}
	return &s3Fetcher{src: src, parallel: opts.parallel()}, nil
}

func (f *s3Fetcher) standsInFor() string { return "s3://" + f.src.Bucket + "/" + f.src.Prefix }

func (f *s3Fetcher) Fetch(ctx context.Context, dst string) (*Manifest, error) {
	client, err := f.client(ctx)
	if err != nil {
		return nil, err
	}
	return fetchObjects(ctx, &s3Bucket{client: client, name: f.src.Bucket}, f.src.Prefix, dst, f.parallel)
}

func (f *s3Fetcher) client(ctx context.Context) (*s3.Client, error) {
	var opts []func(*config.LoadOptions) error
	if f.src.Region != "" {
		opts = append(opts, config.WithRegion(f.src.Region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	if cfg.Region == "" {
		// S3-compatible servers ignore the region but the SDK must sign
		// with one; for AWS a wrong region fails with an error naming the
		// bucket's region.
		cfg.Region = "us-east-1"
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		// Objects uploaded without a checksum are common; the SDK would log
		// a line for each one.
		o.DisableLogOutputChecksumValidationSkipped = true
		if f.src.Endpoint != "" {
			o.BaseEndpoint = aws.String(f.src.Endpoint)
			o.UsePathStyle = true
		}
	}), nil
}

type s3Bucket struct {
	client *s3.Client
	name   string
}

func (b *s3Bucket) url(key string) string { return "s3://" + b.name + "/" + key }

func (b *s3Bucket) keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		pages := s3.NewListObjectsV2Paginator(b.client, &s3.ListObjectsV2Input{
			Bucket: aws.String(b.name),
			Prefix: aws.String(prefix),
		})
		for pages.HasMorePages() {
			page, err := pages.NextPage(ctx)
			if err != nil {
				yield("", err)
				return
			}
			for _, obj := range page.Contents {
				if !yield(aws.ToString(obj.Key), nil) {
					return
				}
			}
		}
	}
}

func (b *s3Bucket) open(ctx context.Context, key string) (io.ReadCloser, error) {
	obj, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.name), Key: aws.String(key)})
	if err != nil {
		return nil, err
	}
	return obj.Body, nil
}
