package compiler

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"cuelang.org/go/cue"
	cuebuild "cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/token"

	"github.com/mlc-project/mlc/ir"
	"github.com/mlc-project/mlc/schema"
)

// source keeps the CUE values a Spec was decoded from, to report positions
// and to hand constraints (dataset schemas) to the gates.
type source struct {
	dir   string    // absolute spec directory
	files []string  // absolute paths of the .cue files, sorted
	tags  []string  // build tags it was loaded with
	user  cue.Value // the user's value alone: its positions are the user's
	value cue.Value // unified with the schema, defaults filled

	engines []ir.Engine  // Options.Engines
	warn    func(*Error) // Options.Warn
}

// Options change how a spec is loaded.
type Options struct {
	// Tags set CUE build tags: files with @if(tag) are included, and
	// fields with @tag(name) are injected ("name=value").
	Tags []string
	// Engines are the engines compiled for, as each targets.Target
	// declares its own: their reserved syntax is refused in every string
	// and key, mlc arguments may reference only the variables all of them
	// set, and keyless signing needs every one to give jobs an identity.
	// None: no engine-specific checks (mlc graph, mlc run).
	Engines []ir.Engine
	// Limits bound the evaluation; nil: DefaultLimits.
	Limits *Limits
	// Warn receives what is worth a look but not an error (an image by
	// tag); nil drops it.
	Warn func(*Error)
}

// Load reads every .cue file of the package in dir, unifies it with the
// mlc schema and validates it. Errors are Errors with file positions.
func Load(dir string) (*Spec, error) { return LoadWith(dir, Options{}) }

// LoadWith is Load with options.
func LoadWith(dir string, opts Options) (*Spec, error) {
	limits := opts.Limits
	if limits == nil {
		l, err := DefaultLimits()
		if err != nil {
			return nil, Errors{{Msg: err.Error(), Hint: "fix or unset the variable"}}
		}
		limits = &l
	}
	return bounded(*limits, func() (*Spec, error) { return loadSpec(dir, opts) })
}

func loadSpec(dir string, opts Options) (*Spec, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	files, err := filepath.Glob(filepath.Join(abs, "*.cue"))
	if err != nil {
		return nil, err
	}
	for _, f := range files {
		if name := filepath.Base(f); strings.ContainsFunc(name, ir.UnsafeInComment) {
			return nil, Errors{{Msg: fmt.Sprintf("spec file name %q holds a line break, tab or invisible character", name),
				Hint: "rename the file: its name is written into the generated files"}}
		}
	}
	if len(files) == 0 {
		if _, statErr := os.Stat(abs); statErr != nil {
			return nil, Errors{{Msg: fmt.Sprintf("spec directory %s: %v", dir, statErr), Hint: "pass the directory holding pipeline.cue"}}
		}
		return nil, Errors{{Msg: fmt.Sprintf("no .cue files in %s", dir), Hint: "run `mlc init` there to create a starter pipeline.cue"}}
	}
	insts := load.Instances([]string{"."}, &load.Config{Dir: abs, Tags: opts.Tags})
	if len(insts) != 1 {
		return nil, Errors{{Msg: fmt.Sprintf("%s holds %d CUE packages", dir, len(insts)), Hint: "keep one package (package pipeline) in the spec directory"}}
	}
	if err := insts[0].Err; err != nil {
		return nil, fromCUE(err, "fix the CUE syntax", cue.Value{})
	}
	ctx := cuecontext.New()
	user := ctx.BuildInstance(insts[0])
	if err := user.Err(); err != nil {
		return nil, fromCUE(err, "", user)
	}
	def, err := schema.Pipeline(ctx)
	if err != nil {
		return nil, fmt.Errorf("mlc schema: %w", err) // a bug in mlc, not in the spec
	}
	v := def.Unify(user)
	src := source{dir: abs, files: buildFiles(insts[0]), tags: opts.Tags, user: user, value: v, engines: opts.Engines, warn: opts.Warn}
	// Validate finds conflicts, closed-struct violations and bad
	// constraints; Decode then rejects anything left non-concrete (a
	// missing required field), except the dataset column schemas, which
	// are constraints by design and have no Go field.
	if err := v.Validate(); err != nil {
		return nil, fromCUE(err, "", user)
	}
	spec := &Spec{src: src}
	if err := decode(v, spec); err != nil {
		return nil, fromCUE(err, "", user)
	}
	return spec, nil
}

// buildFiles are the files a build tag selected (a file with @if(local)
// counts only when -t local is given), so headers name what was compiled.
func buildFiles(inst *cuebuild.Instance) []string {
	files := make([]string, len(inst.BuildFiles))
	for i, f := range inst.BuildFiles {
		files[i] = f.Filename
	}
	sort.Strings(files)
	return files
}

// DefaultRegistry is where artifacts go when the spec names no registry:
// a local OCI layout, which only `mlc run` can share between jobs.
const DefaultRegistry = "oci:.mlc/store"

// decode fills spec from v in one pass (fastDecode; cue's decoder when
// that fails, for its errors). The dataset column schemas are
// constraints, not data: Dataset has no field for them, so Decode skips
// them, and HasSchema records their presence.
func decode(v cue.Value, spec *Spec) error {
	if !fastDecode(v, spec) {
		*spec = Spec{src: spec.src}
		if err := v.Decode(spec); err != nil {
			return err
		}
	}
	if spec.Registry == "" {
		spec.Registry = DefaultRegistry
	}
	for name, d := range spec.Datasets {
		d.HasSchema = v.LookupPath(cue.MakePath(cue.Str("datasets"), cue.Str(name), cue.Str("schema"))).Exists()
	}
	for name, a := range spec.Apps {
		if a.Batch != nil && a.Batch.Predictions != nil {
			a.Batch.Predictions.HasSchema = v.LookupPath(cue.ParsePath(BatchPredictionsPath(name) + ".schema")).Exists()
		}
	}
	return nil
}

// fromCUE turns CUE errors into Errors at the user's positions. An error
// only the schema can place (a missing field) is reported at the nearest
// enclosing value the user wrote.
func fromCUE(err error, hint string, user cue.Value) error {
	var out Errors
	seen := map[string]int{}
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		msg := fmt.Sprintf(format, args...)
		path := strings.TrimPrefix(strings.Join(e.Path(), "."), "#Pipeline.")
		pos := userPos(e)
		if (!pos.IsValid() || pos.Filename() == schema.Filename) && user.Exists() {
			pos = nearestPos(user, errorSelectors(e.Path()))
		}
		h := hint
		switch {
		case strings.Contains(msg, "not allowed"):
			h = "remove the field or fix its spelling; docs/spec.md lists every field"
		case strings.Contains(msg, "incomplete value"), strings.Contains(msg, "non-concrete value"):
			msg = "missing required field (or a value that is not concrete): " + msg
			h = "set it in pipeline.cue; docs/spec.md documents it"
		case h == "" && strings.Contains(msg, "conflicting values"):
			h = "give the field a value of the type and range the schema allows (docs/spec.md)"
		case h == "" && strings.Contains(msg, "invalid value"):
			h = "docs/spec.md gives the allowed values"
		}
		// A failed disjunction (int | *0) reports a summary plus one
		// conflict per branch: keep the first conflict per place.
		key := fmt.Sprint(pos, path)
		if strings.Contains(msg, "errors in empty disjunction") {
			continue
		}
		if i, ok := seen[key]; ok {
			// Prefer the branch that says what bound was broken over
			// the one that only conflicts with the default.
			if strings.Contains(out[i].Msg, "conflicting values") && strings.Contains(msg, "out of bound") {
				out[i].Msg = msg
			}
			continue
		}
		seen[key] = len(out)
		out = append(out, &Error{Pos: pos, Path: path, Msg: msg, Hint: h})
	}
	if len(out) == 0 {
		return &Error{Msg: err.Error(), Hint: hint}
	}
	return out.err()
}

// errorSelectors turns a CUE error path ("#Pipeline", "models",
// "\"my-model\"", …) into selectors of the user's value.
func errorSelectors(path []string) []cue.Selector {
	if len(path) > 0 && path[0] == "#Pipeline" {
		path = path[1:]
	}
	sel := make([]cue.Selector, len(path))
	for i, p := range path {
		if s := cue.ParsePath(p).Selectors(); len(s) == 1 {
			sel[i] = s[0]
		} else {
			sel[i] = cue.Str(p)
		}
	}
	return sel
}

// nearestPos is the position of path, or of its nearest ancestor, in the
// user's value (a defaulted field has none of its own); the start of the
// spec when the user wrote none of it.
func nearestPos(user cue.Value, path []cue.Selector) token.Pos {
	for n := len(path); n > 0; n-- {
		if v := user.LookupPath(cue.MakePath(path[:n]...)); v.Exists() && v.Pos().IsValid() {
			return v.Pos()
		}
	}
	return user.Pos()
}

// userPos prefers a position in the user's files over one in the schema.
func userPos(e cueerrors.Error) token.Pos {
	cands := append([]token.Pos{e.Position()}, e.InputPositions()...)
	for _, p := range cands {
		if p.IsValid() && p.Filename() != schema.Filename {
			return p
		}
	}
	for _, p := range cands {
		if p.IsValid() {
			return p
		}
	}
	return token.NoPos
}

// Dir is the absolute directory the spec was loaded from.
func (s *Spec) Dir() string { return s.src.dir }

// Files are the .cue files the spec was loaded from.
func (s *Spec) Files() []string { return s.src.files }

// BatchPredictionsPath is the spec path of an app's batch predictions
// checks, which mlc check schema --at reads.
func BatchPredictionsPath(app string) string {
	return cue.MakePath(cue.Str("apps"), cue.Str(app), cue.Str("batch"), cue.Str("predictions")).String()
}

// DatasetTable is the table checks of datasets.NAME, decoded with the
// spec, and the CUE value of its column schema, whose constraints the
// schema gate compiles (not set when the dataset declares none).
func (s *Spec) DatasetTable(name string) (Table, cue.Value, error) {
	d, ok := s.Datasets[name]
	if !ok {
		return Table{}, cue.Value{}, &Error{Msg: fmt.Sprintf("no dataset %q in the spec", name), Hint: "datasets: " + strings.Join(slices.Sorted(maps.Keys(s.Datasets)), ", ")}
	}
	return d.Table, s.columns(cue.MakePath(cue.Str("datasets"), cue.Str(name), cue.Str("schema")), d.HasSchema), nil
}

// TableAt is DatasetTable for the other tables the spec checks, by their
// path: an app's batch predictions (BatchPredictionsPath).
func (s *Spec) TableAt(path string) (Table, cue.Value, error) {
	for _, name := range slices.Sorted(maps.Keys(s.Apps)) {
		if b := s.Apps[name].Batch; b != nil && b.Predictions != nil && BatchPredictionsPath(name) == path {
			return *b.Predictions, s.columns(cue.ParsePath(path+".schema"), b.Predictions.HasSchema), nil
		}
	}
	return Table{}, cue.Value{}, &Error{Msg: fmt.Sprintf("%s is not a table the spec checks", path), Hint: "tables are datasets.NAME (--dataset) and apps.NAME.batch.predictions"}
}

func (s *Spec) columns(path cue.Path, declared bool) cue.Value {
	if !declared {
		return cue.Value{}
	}
	return s.src.value.LookupPath(path)
}

// Value is the validated spec as CUE, defaults filled.
func (s *Spec) Value() cue.Value { return s.src.value }

// pos is the position of a spec path in the user's files.
func (s *Spec) pos(path ...string) token.Pos { return nearestPos(s.src.user, labels(path)) }

// labels are the selectors of a spec path of field names.
func labels(path []string) []cue.Selector {
	sel := make([]cue.Selector, len(path))
	for i, p := range path {
		sel[i] = cue.Str(p)
	}
	return sel
}
