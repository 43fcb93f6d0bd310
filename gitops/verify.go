package gitops

import (
	"bytes"
	"errors"
	"io"
	"reflect"

	"go.yaml.in/yaml/v3"
)

// errInPlace: an edit in place would have changed more than asked (an
// anchor shared with other keys, an unusual layout), so nothing is written.
var errInPlace = errors.New("mlc cannot edit this file in place without changing more than the image: make that entry a plain block (- name: …, newName: …, digest: …) once by hand")

// verified returns after when it means exactly before with change applied
// (both decoded, every document): the splice edits keep the file's layout
// and comments, and this keeps them honest.
func verified(before, after []byte, change func(docs []any) bool) ([]byte, error) {
	want, err := decodeAll(before)
	if err != nil {
		return nil, err
	}
	got, err := decodeAll(after)
	if err != nil || !change(want) || !reflect.DeepEqual(want, got) {
		return nil, errInPlace
	}
	return after, nil
}

func decodeAll(src []byte) ([]any, error) {
	var docs []any
	dec := yaml.NewDecoder(bytes.NewReader(src))
	for {
		var doc any
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return docs, nil
		} else if err != nil {
			return nil, err
		}
		docs = append(docs, doc)
	}
}

// withImage is a decoded kustomization with the images: entry name set
// to newName and digest, as setKustomizeImage means it.
func withImage(name, repo, digest string) func([]any) bool {
	return func(docs []any) bool {
		if len(docs) == 0 {
			return false
		}
		k, ok := docs[0].(map[string]any)
		if !ok {
			return false
		}
		images, _ := k["images"].([]any)
		if k["images"] != nil && images == nil {
			return false
		}
		for _, item := range images {
			if m, ok := item.(map[string]any); ok && m["name"] == name {
				m["newName"], m["digest"] = repo, digest
				delete(m, "newTag")
				return true
			}
		}
		k["images"] = append(images, map[string]any{"name": name, "newName": repo, "digest": digest})
		return true
	}
}

// withField is decoded YAML with the first document that has path set
// to value, as setField means it.
func withField(steps []fieldStep, value string) func([]any) bool {
	return func(docs []any) bool {
		for _, doc := range docs {
			if set(doc, steps, value) {
				return true
			}
		}
		return false
	}
}

func set(n any, steps []fieldStep, value string) bool {
	s := steps[0]
	last := len(steps) == 1
	switch c := n.(type) {
	case map[string]any:
		v, ok := c[s.key]
		if s.key == "" || !ok {
			return false
		}
		if last {
			c[s.key] = value
			return true
		}
		return set(v, steps[1:], value)
	case []any:
		if s.key != "" || s.index >= len(c) {
			return false
		}
		if last {
			c[s.index] = value
			return true
		}
		return set(c[s.index], steps[1:], value)
	}
	return false
}
