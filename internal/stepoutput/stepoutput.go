// Package stepoutput is the one implementation of the step-output protocol
// every pipeline step follows: a step appends NAME=value lines to the file
// $MLC_OUTPUT names (on GitHub, $GITHUB_OUTPUT), a multi-line value as
// NAME<<DELIMITER, the lines, DELIMITER, as GitHub's runner reads them.
// mlc's commands write through Append, mlc run reads through Parse; the
// Tekton and Argo collectors (shell) read the single-line form, which is
// all a declared job output (a digest reference, a verdict) ever uses.
package stepoutput

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"regexp"
	"strings"
)

// Pair is one output.
type Pair struct{ Key, Value string }

// key is what every engine accepts as an output name.
var key = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// Format renders pairs in the protocol's syntax.
func Format(pairs ...Pair) (string, error) {
	var b strings.Builder
	for _, p := range pairs {
		if !key.MatchString(p.Key) {
			return "", fmt.Errorf("output name %q: use letters, digits, _ and -", p.Key)
		}
		if !strings.ContainsAny(p.Value, "\r\n") {
			fmt.Fprintf(&b, "%s=%s\n", p.Key, p.Value)
			continue
		}
		delim := "MLC_EOF"
		for strings.Contains(p.Value, delim) {
			delim += "_"
		}
		fmt.Fprintf(&b, "%s<<%s\n%s\n%s\n", p.Key, delim, p.Value, delim)
	}
	return b.String(), nil
}

// File is the variable naming the output file and its value, from getenv:
// MLC_OUTPUT, else GITHUB_OUTPUT; "" when neither is set.
func File(getenv func(string) string) (name, path string) {
	if path := getenv("MLC_OUTPUT"); path != "" {
		return "MLC_OUTPUT", path
	}
	return "GITHUB_OUTPUT", getenv("GITHUB_OUTPUT")
}

// Append writes pairs to the output file the environment (getenv, nil for
// the process's) names, in one write so concurrent steps do not
// interleave; a no-op outside a pipeline.
func Append(getenv func(string) string, pairs ...Pair) error {
	if getenv == nil {
		getenv = os.Getenv
	}
	name, path := File(getenv)
	if path == "" || len(pairs) == 0 {
		return nil
	}
	text, err := Format(pairs...)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("appending to $%s: %w", name, err)
	}
	_, err = f.WriteString(text)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("appending to $%s: %w", name, err)
	}
	return nil
}

// Parse reads an output file; a key given twice keeps its last value, as
// every engine does.
func Parse(r io.Reader) (map[string]string, error) {
	outs := map[string]string{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		if k, delim, ok := strings.Cut(line, "<<"); ok && key.MatchString(k) {
			var lines []string
			for {
				if !sc.Scan() {
					return nil, fmt.Errorf("output line %d: %s<<%s is not closed by a line %s", n, k, delim, delim)
				}
				n++
				if sc.Text() == delim {
					break
				}
				lines = append(lines, sc.Text())
			}
			outs[k] = strings.Join(lines, "\n")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok || !key.MatchString(k) {
			return nil, fmt.Errorf("output line %d is %q: want NAME=value or NAME<<DELIMITER", n, line)
		}
		outs[k] = v
	}
	return outs, sc.Err()
}
