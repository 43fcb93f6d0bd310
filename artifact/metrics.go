package artifact

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strconv"
)

var metricName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]*$`)

// ReadMetrics reads a JSON object of numbers ({"accuracy": 0.93}; nested
// objects become dotted names) into decimal strings, the values of the
// dev.mlc.metric.<name> annotations.
func ReadMetrics(file string) (map[string]string, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("metrics: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil, fmt.Errorf("metrics %s: want a JSON object of numbers: %w", file, err)
	}
	out := map[string]string{}
	if err := flattenMetrics(file, "", obj, out); err != nil {
		return nil, err
	}
	return out, nil
}

func flattenMetrics(file, prefix string, obj map[string]any, out map[string]string) error {
	for k, v := range obj {
		name := prefix + k
		if !metricName.MatchString(k) {
			return fmt.Errorf("metrics %s: name %q: use letters, digits, '_', '.', '-'", file, name)
		}
		switch v := v.(type) {
		case json.Number:
			f, err := strconv.ParseFloat(string(v), 64)
			if err != nil {
				return fmt.Errorf("metrics %s: %s: %w", file, name, err)
			}
			out[name] = strconv.FormatFloat(f, 'f', -1, 64)
		case map[string]any:
			if err := flattenMetrics(file, name+".", v, out); err != nil {
				return err
			}
		default:
			return fmt.Errorf("metrics %s: %s is %T, want a number", file, name, v)
		}
	}
	return nil
}
