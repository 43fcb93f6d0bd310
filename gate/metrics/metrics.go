// Package metrics gates a model on its evaluation metrics: thresholds
// ("accuracy>=0.90") and no regression against the model in production
// (champion/challenger), whose metrics come from a file or from its OCI
// artifact's dev.mlc.metric.<name> annotations.
package metrics

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Metrics are named numbers.
type Metrics map[string]float64

// AnnotationPrefix starts the manifest annotations that carry metrics.
const AnnotationPrefix = "dev.mlc.metric."

// Parse reads a JSON object of metrics: flat ({"accuracy": 0.93, ...}) or
// under a "metrics" key. Values that are not numbers (a model name, a
// nested object) are ignored.
func Parse(data []byte) (Metrics, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var top map[string]any
	if err := dec.Decode(&top); err != nil {
		return nil, fmt.Errorf("not a JSON object of metrics: %w", err)
	}
	if inner, ok := top["metrics"].(map[string]any); ok {
		top = inner
	}
	m := Metrics{}
	for k, v := range top {
		n, ok := v.(json.Number)
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(string(n), 64)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %v is out of range", k, n)
		}
		m[k] = f
	}
	if len(m) == 0 {
		return nil, errors.New(`no numeric metrics; expected {"accuracy": 0.93, ...} or {"metrics": {...}}`)
	}
	return m, nil
}

// FromAnnotations reads the dev.mlc.metric.<name> annotations.
func FromAnnotations(ann map[string]string) (Metrics, error) {
	m := Metrics{}
	for k, v := range ann {
		name, ok := strings.CutPrefix(k, AnnotationPrefix)
		if !ok {
			continue
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, fmt.Errorf("annotation %s=%q is not a decimal number", k, v)
		}
		m[name] = f
	}
	return m, nil
}

// Names lists the metric names, sorted.
func (m Metrics) Names() []string {
	names := make([]string, 0, len(m))
	for k := range m {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

// AnnotationReader returns the manifest annotations of an OCI reference.
type AnnotationReader func(ctx context.Context, ref string) (map[string]string, error)

// ErrNoBaseline means the baseline reference does not exist yet (the first
// deployment): no-regression gates pass with a notice.
var ErrNoBaseline = errors.New("no baseline")

// Load reads metrics from a file if source is an existing path, else from
// the annotations of the OCI reference source. A reference that does not
// exist yields ErrNoBaseline (wrapped); read may be nil when references are
// not supported.
func Load(ctx context.Context, source string, read AnnotationReader) (Metrics, error) {
	if data, err := os.ReadFile(source); err == nil {
		m, err := Parse(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", source, err)
		}
		return m, nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	if !looksLikeRef(source) {
		return nil, fmt.Errorf("%s: no such file (and not an OCI reference like registry/repo:tag)", source)
	}
	if read == nil {
		return nil, fmt.Errorf("%s: reading metrics from an OCI reference is not supported in this build", source)
	}
	ann, err := read(ctx, source)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w (%v)", source, ErrNoBaseline, err)
	}
	if err != nil {
		return nil, fmt.Errorf("reading the annotations of %s: %w", source, err)
	}
	m, err := FromAnnotations(ann)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	return m, nil
}

// looksLikeRef tells a registry reference (host/repo:tag, repo@sha256:…,
// oci:layout) from a mistyped file name.
func looksLikeRef(s string) bool {
	return strings.ContainsAny(s, ":@") && !strings.HasSuffix(s, ".json")
}
