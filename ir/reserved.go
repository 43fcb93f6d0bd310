package ir

// Reserved is text an engine evaluates wherever it appears in the files
// rendered for it (GitHub's "${{", Tekton's "$(", Argo's "{{"). Each target
// declares its own; the compiler refuses them in every string and key of
// the spec, at its position, so user text never becomes an expression.
type Reserved struct {
	Seq    string // the opening sequence
	Engine string // what the engine takes it for
	Hint   string // what to write instead
}
