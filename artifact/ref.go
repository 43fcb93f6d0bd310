package artifact

import (
	"fmt"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// DefaultStore is the OCI image layout used when a reference names no
// registry, so a newcomer can push and pull without a registry server.
const DefaultStore = ".mlc/store"

const layoutScheme = "oci:"

// Ref is a parsed artifact reference: a registry repository or an OCI image
// layout directory, plus a tag or a digest (never both).
//
// Accepted forms:
//
//	ghcr.io/acme/ml/credit:v3              registry, by tag
//	localhost:5000/x@sha256:<hex>          registry, by digest
//	oci:PATH:TAG, oci:PATH@sha256:<hex>    OCI image layout directory
//	credit:v3                              no registry host: oci:.mlc/store:credit:v3
type Ref struct {
	// Layout is the OCI image layout directory; empty for a registry.
	Layout string
	// Repository is the registry repository (e.g. ghcr.io/acme/ml/credit);
	// empty for a layout.
	Repository string
	// Tag names the manifest; inside a layout it is the
	// org.opencontainers.image.ref.name annotation and may contain ':'.
	Tag string
	// Digest names the manifest by content, "sha256:<hex>".
	Digest string
}

// ParseRef parses s in one of the forms documented on Ref.
func ParseRef(s string) (Ref, error) {
	if s == "" {
		return Ref{}, fmt.Errorf("empty artifact reference: want REGISTRY/REPO:TAG, REGISTRY/REPO@sha256:..., or oci:PATH:TAG")
	}
	if rest, ok := strings.CutPrefix(s, layoutScheme); ok {
		return parseLayoutRef(s, rest)
	}
	if !hasRegistryHost(s) {
		return parseLayoutRef(s, DefaultStore+":"+s)
	}
	r, err := name.ParseReference(s, name.StrictValidation)
	if err != nil {
		return Ref{}, fmt.Errorf("artifact reference %q: %w (want REGISTRY/REPO:TAG or REGISTRY/REPO@sha256:...)", s, err)
	}
	return refOf(r), nil
}

// refOf is a parsed registry reference as a Ref.
func refOf(r name.Reference) Ref {
	ref := Ref{Repository: r.Context().Name()}
	switch r := r.(type) {
	case name.Tag:
		ref.Tag = r.TagStr()
	case name.Digest:
		ref.Digest = r.DigestStr()
	}
	return ref
}

// parseLayoutRef parses PATH:TAG or PATH@sha256:HEX (rest), the part after "oci:".
func parseLayoutRef(orig, rest string) (Ref, error) {
	if path, dig, ok := strings.Cut(rest, "@"); ok {
		if _, err := v1.NewHash(dig); err != nil {
			return Ref{}, fmt.Errorf("artifact reference %q: digest %q: %w", orig, dig, err)
		}
		if path == "" {
			return Ref{}, fmt.Errorf("artifact reference %q: empty layout directory before '@'", orig)
		}
		return Ref{Layout: path, Digest: dig}, nil
	}
	path, tag, ok := strings.Cut(rest, ":")
	if !ok || path == "" || tag == "" {
		return Ref{}, fmt.Errorf("artifact reference %q: want oci:PATH:TAG or oci:PATH@sha256:<hex>", orig)
	}
	if strings.ContainsAny(tag, " \t\n/") {
		return Ref{}, fmt.Errorf("artifact reference %q: tag %q must not contain spaces or '/'", orig, tag)
	}
	return Ref{Layout: path, Tag: tag}, nil
}

// hasRegistryHost reports whether the first path component of s names a
// registry host (has a '.' or a port, or is localhost), the rule Docker uses.
// Without one, s names an artifact in the default local store: mlc never
// guesses Docker Hub.
func hasRegistryHost(s string) bool {
	host, _, ok := strings.Cut(s, "/")
	if !ok {
		return false
	}
	return strings.ContainsAny(host, ".:") || host == "localhost"
}

// IsLayout reports whether the reference names an OCI image layout.
func (r Ref) IsLayout() bool { return r.Layout != "" }

// Location is the store part of the reference: "oci:PATH" or the repository.
func (r Ref) Location() string {
	if r.IsLayout() {
		return layoutScheme + r.Layout
	}
	return r.Repository
}

// Identifier is the tag, or the digest when there is no tag.
func (r Ref) Identifier() string {
	if r.Digest != "" {
		return r.Digest
	}
	return r.Tag
}

// String formats the reference in the syntax ParseRef accepts.
func (r Ref) String() string {
	if r.Digest != "" {
		return r.Location() + "@" + r.Digest
	}
	return r.Location() + ":" + r.Tag
}

// WithDigest returns the same location addressed by digest.
func (r Ref) WithDigest(digest v1.Hash) Ref {
	return Ref{Layout: r.Layout, Repository: r.Repository, Digest: digest.String()}
}

// WithTag returns the same location addressed by tag.
func (r Ref) WithTag(tag string) Ref {
	return Ref{Layout: r.Layout, Repository: r.Repository, Tag: tag}
}
