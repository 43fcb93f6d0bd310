package artifact

import (
	"fmt"
	"path"
	"strings"
)

// Kind is what an artifact holds; it selects the media types.
type Kind string

// The kinds mlc pushes.
const (
	KindDataset Kind = "dataset"
	KindModel   Kind = "model"
	KindCode    Kind = "code"
)

// ParseKind validates a kind given on the command line.
func ParseKind(s string) (Kind, error) {
	switch k := Kind(s); k {
	case KindDataset, KindModel, KindCode:
		return k, nil
	}
	return "", fmt.Errorf("unknown artifact kind %q: want dataset, model or code", s)
}

// Media types. Models follow the CNCF ModelPack spec; datasets and code use
// mlc's own types in the same shape. Layers are uncompressed: weights do not
// compress and gzip is the known push bottleneck.
const (
	MediaTypeManifest = "application/vnd.oci.image.manifest.v1+json"
	MediaTypeIndex    = "application/vnd.oci.image.index.v1+json"
	MediaTypeEmpty    = "application/vnd.oci.empty.v1+json"

	ArtifactTypeModel    = "application/vnd.cncf.model.manifest.v1+json"
	MediaTypeModelConfig = "application/vnd.cncf.model.config.v1+json"
	ArtifactTypeDataset  = "application/vnd.mlc.dataset.manifest.v1+json"
	ArtifactTypeCode     = "application/vnd.mlc.code.manifest.v1+json"

	// KitOps ModelKits are read on pull.
	MediaTypeKitConfig = "application/vnd.kitops.modelkit.config.v1+json"

	// Layer formats: one file as it is, or many small files in a
	// reproducible tar inside a gzip stream of stored (uncompressed)
	// blocks: no compression cost, and oras unpacks it like its own
	// directory layers.
	formatRaw    = "raw"
	formatPacked = "tar+gzip"

	// AnnotationUnpack marks a packed directory layer for oras.
	AnnotationUnpack = "io.deis.oras.content.unpack"
)

// Annotations mlc writes.
const (
	AnnotationTitle     = "org.opencontainers.image.title"
	AnnotationRevision  = "org.opencontainers.image.revision"
	AnnotationSource    = "org.opencontainers.image.source"
	AnnotationCreated   = "org.opencontainers.image.created"
	AnnotationFilepath  = "org.cncf.model.filepath"
	AnnotationMetricPfx = "dev.mlc.metric."
	// The build's version (git describe) and channel, from mlc version.
	AnnotationVersion = "org.opencontainers.image.version"
	AnnotationChannel = "dev.mlc.channel"
)

// emptyConfig is the OCI 1.1 empty descriptor's content, the config of
// datasets and code.
var emptyConfig = []byte("{}")

// artifactType returns the manifest artifactType of a kind.
func artifactType(k Kind) string {
	switch k {
	case KindModel:
		return ArtifactTypeModel
	case KindCode:
		return ArtifactTypeCode
	}
	return ArtifactTypeDataset
}

// layerMediaType names a layer holding relPath in an artifact of kind k, or
// a tar of many files of that type (packed). Model files get their ModelPack
// role from the name, so small files are packed per role.
func layerMediaType(k Kind, relPath string, packed bool) string {
	format := formatRaw
	if packed {
		format = formatPacked
	}
	if k != KindModel {
		return fmt.Sprintf("application/vnd.mlc.%s.layer.v1.%s", k, format)
	}
	return fmt.Sprintf("application/vnd.cncf.model.%s.v1.%s", modelRole(relPath), format)
}

// modelRole classifies a model file into a ModelPack layer role.
func modelRole(relPath string) string {
	base := strings.ToLower(path.Base(relPath))
	switch ext := path.Ext(base); {
	case strings.HasPrefix(base, "readme"), strings.HasPrefix(base, "license"),
		ext == ".md", ext == ".txt", ext == ".pdf", ext == ".rst":
		return "doc"
	case ext == ".py", ext == ".ipynb", ext == ".sh", ext == ".r", ext == ".go", ext == ".js":
		return "code"
	case ext == ".csv", ext == ".jsonl", ext == ".ndjson", ext == ".parquet", ext == ".tsv":
		return "dataset"
	case ext == ".json", ext == ".yaml", ext == ".yml", ext == ".toml", ext == ".cfg", ext == ".ini":
		return "weight.config"
	}
	return "weight"
}

// Role is what part of an artifact a layer holds, for pull --only.
type Role string

// Layer roles.
const (
	RoleModel   Role = "model"
	RoleDataset Role = "dataset"
	RoleCode    Role = "code"
	RoleDocs    Role = "docs"
)

// layerRole reads the role from a layer media type of mlc, ModelPack or
// KitOps; artifactKind decides for generic layers (e.g. pushed by oras).
func layerRole(mediaType string, artifactKind Role) Role {
	switch {
	case strings.Contains(mediaType, ".weight"), strings.Contains(mediaType, ".modelkit.model"),
		strings.Contains(mediaType, ".mlc.model."):
		return RoleModel
	case strings.Contains(mediaType, ".dataset"):
		return RoleDataset
	case strings.Contains(mediaType, ".code"):
		return RoleCode
	case strings.Contains(mediaType, ".doc"):
		return RoleDocs
	}
	return artifactKind
}

// isTarLayer reports whether a layer is an archive to unpack rather than
// one file: ModelPack/mlc ".tar", KitOps "tar+gzip", or an oras directory.
// oras gives plain files the OCI image layer type, so a layer of that type
// with a title and no unpack annotation is one file.
func isTarLayer(mediaType string, annotations map[string]string) bool {
	if annotations[AnnotationUnpack] == "true" {
		return true
	}
	if strings.HasPrefix(mediaType, "application/vnd.oci.image.layer.") {
		return annotations[AnnotationTitle] == ""
	}
	return strings.HasSuffix(mediaType, ".tar") || strings.Contains(mediaType, ".tar+")
}
