// Package spec holds the plain Go types of pipeline.cue that more than one
// package needs, with no CUE import: the compiler decodes them, the
// adapters and gates take them.
package spec

// Source is a data acquisition adapter; exactly one field is set.
type Source struct {
	S3    *S3Source    `json:"s3,omitempty"`
	GCS   *GCSSource   `json:"gcs,omitempty"`
	HTTP  *HTTPSource  `json:"http,omitempty"`
	Git   *GitSource   `json:"git,omitempty"`
	OCI   *OCISource   `json:"oci,omitempty"`
	Local *LocalSource `json:"local,omitempty"`
}

type S3Source struct {
	Bucket   string `json:"bucket"`
	Prefix   string `json:"prefix"`
	Region   string `json:"region,omitempty"`
	Endpoint string `json:"endpoint,omitempty"`
}

type GCSSource struct {
	Bucket   string `json:"bucket"`
	Prefix   string `json:"prefix"`
	Endpoint string `json:"endpoint,omitempty"`
}

type HTTPSource struct {
	URL    string `json:"url"`
	SHA256 string `json:"sha256,omitempty"`
}

type GitSource struct {
	Repo string `json:"repo"`
	Ref  string `json:"ref"`
	Path string `json:"path"`
}

type OCISource struct {
	Ref string `json:"ref"`
}

type LocalSource struct {
	Path string `json:"path"`
}

// Kinds are the adapters s sets, in the schema's order; a valid source
// sets exactly one.
func (s Source) Kinds() []string {
	return setKinds([]kind{{"s3", s.S3 != nil}, {"gcs", s.GCS != nil}, {"http", s.HTTP != nil},
		{"git", s.Git != nil}, {"oci", s.OCI != nil}, {"local", s.Local != nil}})
}

// ExactlyOne explains a source that does not set exactly one adapter, or
// is "" when it does.
func (s Source) ExactlyOne() string { return exactlyOne("source adapter", s.Kinds()) }

// ExactlyOneHint is what to do about it.
const ExactlyOneHint = "set exactly one of s3, gcs, http, git, oci, local"

// IsSHA256Hex is the schema's rule for source.http.sha256: 64 lower-case
// hex digits, as sha256sum prints them.
func IsSHA256Hex(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
