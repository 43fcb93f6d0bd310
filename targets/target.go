// Package targets defines what a renderer of the IR produces and holds the
// registry of renderers by name. Each engine lives in its own sub-package.
package targets

import (
	"errors"
	"fmt"

	"github.com/mlc-project/mlc/ir"
)

// ErrTooLarge is wrapped by a Render error for an object the engine could
// not store or run (Kubernetes objects are limited by etcd's request size,
// GitHub workflow files to 500 KB).
var ErrTooLarge = errors.New("object too large for the engine")

// TooLarge is the refusal of a generated object the engine would not take
// by size (what says which and by how much): the spec must be split.
func TooLarge(what string) error {
	return fmt.Errorf("%s: set split: \"model\" in the spec for one delivery workflow per model, or split the spec into several pipelines (fewer models, datasets or environments each): %w", what, ErrTooLarge)
}

// File is one generated file, with a slash-separated path relative to the
// output directory.
type File struct {
	Path string
	Data []byte
}

// Target renders a compiled pipeline for one engine. Render must be
// deterministic: the same pipeline yields the same files, byte for byte,
// sorted by Path. It returns an error naming the spec feature and the engine
// when a pipeline uses something the engine cannot express.
type Target interface {
	Name() string
	// DefaultDir is where files go when the user gives no --out.
	DefaultDir() string
	Render(p *ir.Pipeline) ([]File, error)
	// Engine declares what the compiler must check the spec against for
	// this engine (compiler.Options.Engines).
	Engine() ir.Engine
}
