package gitops

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

var digestRef = regexp.MustCompile(`^([^@\s]+)@(sha256:[0-9a-f]{64})$`)

// splitDigestRef splits REPO@sha256:HEX; anything else (a tag) is
// refused: a deployment names exactly what was tested.
func splitDigestRef(ref string) (repo, digest string, err error) {
	m := digestRef.FindStringSubmatch(ref)
	if m == nil {
		return "", "", fmt.Errorf("%q: deploy by digest, REPO@sha256:HEX (the digest mlc package or mlc push printed)", ref)
	}
	return m[1], m[2], nil
}

// setKustomizeImage points the kustomization's images: entry called name
// at repo@digest (newName and digest; a newTag is dropped, kustomize
// would prefer the digest anyway), adding the entry if there is none.
func setKustomizeImage(src []byte, name, repo, digest string) ([]byte, error) {
	out, err := spliceKustomizeImage(src, name, repo, digest)
	if err != nil {
		return nil, err
	}
	return verified(src, out, withImage(name, repo, digest))
}

func spliceKustomizeImage(src []byte, name, repo, digest string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("want a kustomization (a YAML mapping)")
	}
	e := newEdit(src)
	entry := []string{"name", name, "newName", repo, "digest", digest}
	imagesKey, images := lookup(doc.Content[0], "images")
	if images == nil {
		var b strings.Builder
		if len(src) > 0 && !bytes.HasSuffix(src, []byte("\n")) {
			b.WriteString("\n")
		}
		// At the indentation of the kustomization's keys.
		indent := strings.Repeat(" ", doc.Content[0].Column-1)
		b.WriteString(indent + "images:\n")
		writeEntry(&b, indent, entry)
		return e.apply([]splice{{from: len(src), to: len(src), text: b.String()}}), nil
	}
	if images.Kind == yaml.ScalarNode && images.Tag == "!!null" {
		images = &yaml.Node{Kind: yaml.SequenceNode}
	}
	if images.Kind != yaml.SequenceNode || images.Style == yaml.FlowStyle && len(images.Content) > 0 {
		return nil, fmt.Errorf("line %d: images: is not a block list (- name: …)", images.Line)
	}
	named := 0
	for _, item := range images.Content {
		if _, n := lookup(item, "name"); n != nil && n.Value == name {
			named++
		}
	}
	if named > 1 {
		return nil, fmt.Errorf("line %d: images: has %d entries named %s: keep one", images.Line, named, name)
	}
	for _, item := range images.Content {
		nameKey, n := lookup(item, "name")
		if n == nil || n.Value != name {
			continue
		}
		var ss []splice
		for _, kv := range [][2]string{{"newName", repo}, {"digest", digest}} {
			if _, v := lookup(item, kv[0]); v != nil {
				s, err := e.set(v, kv[1])
				if err != nil {
					return nil, err
				}
				ss = append(ss, s)
			} else {
				ss = append(ss, e.insertAfter(nameKey, kv[0], kv[1]))
			}
		}
		if k, _ := lookup(item, "newTag"); k != nil {
			ss = append(ss, e.removeLine(k))
		}
		return e.apply(ss), nil
	}
	if len(images.Content) == 0 { // images: [] or images: with no value
		var b strings.Builder
		b.WriteString(strings.Repeat(" ", imagesKey.Column-1) + "images:\n")
		writeEntry(&b, strings.Repeat(" ", imagesKey.Column-1), entry)
		s := e.removeLine(imagesKey)
		s.text = b.String()
		return e.apply([]splice{s}), nil
	}
	// A new entry after the last one, with the same indentation.
	first := images.Content[0]
	indent := strings.Repeat(" ", max(first.Column-3, 0))
	last := lastLine(images)
	at := len(src)
	if last < len(e.lines) {
		at = e.lines[last]
	}
	var b strings.Builder
	if at == len(src) && !bytes.HasSuffix(src, []byte("\n")) {
		b.WriteString("\n")
	}
	writeEntry(&b, indent, entry)
	return e.apply([]splice{{from: at, to: at, text: b.String()}}), nil
}

func writeEntry(b *strings.Builder, indent string, kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		lead := indent + "  "
		if i == 0 {
			lead = indent + "- "
		}
		fmt.Fprintf(b, "%s%s: %s\n", lead, kv[i], scalar(kv[i+1]))
	}
}

// lastLine is the last source line a node's content reaches.
func lastLine(n *yaml.Node) int {
	line := n.Line
	for _, c := range n.Content {
		line = max(line, lastLine(c))
	}
	return line
}

// setField sets the value at path (spec.template.spec.containers[0].image)
// in the first YAML document of src that has it.
func setField(src []byte, path, value string) ([]byte, error) {
	steps, err := parseFieldPath(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc yaml.Node
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return nil, err
		}
		if n := walk(doc.Content, steps); n != nil {
			e := newEdit(src)
			s, err := e.set(n, value)
			if err != nil {
				return nil, err
			}
			return verified(src, e.apply([]splice{s}), withField(steps, value))
		}
	}
	return nil, fmt.Errorf("no document has %s", path)
}

// fieldStep is one key, or a list index when key is "".
type fieldStep struct {
	key   string
	index int
}

var fieldPathRE = regexp.MustCompile(`^[A-Za-z0-9_-]+(\[[0-9]+\])*(\.[A-Za-z0-9_-]+(\[[0-9]+\])*)*$`)

func parseFieldPath(path string) ([]fieldStep, error) {
	if !fieldPathRE.MatchString(path) {
		return nil, fmt.Errorf("field %q: want keys and list indexes such as spec.template.spec.containers[0].image", path)
	}
	var steps []fieldStep
	for _, part := range strings.Split(path, ".") {
		key, rest, _ := strings.Cut(part, "[")
		steps = append(steps, fieldStep{key: key})
		for _, idx := range strings.Split(rest, "[") {
			if idx = strings.TrimSuffix(idx, "]"); idx != "" {
				i, _ := strconv.Atoi(idx) // digits: the pattern says so
				steps = append(steps, fieldStep{index: i})
			}
		}
	}
	return steps, nil
}

func walk(content []*yaml.Node, steps []fieldStep) *yaml.Node {
	if len(content) == 0 {
		return nil
	}
	n := content[0]
	for _, s := range steps {
		switch {
		case s.key != "":
			_, n = lookup(n, s.key)
		case n.Kind == yaml.SequenceNode && s.index < len(n.Content):
			n = n.Content[s.index]
		default:
			n = nil
		}
		if n == nil {
			return nil
		}
	}
	return n
}
