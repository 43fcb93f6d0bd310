package adapter

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ManifestName is the file FetchInto writes into the output directory: the
// Manifest as JSON. It also marks the directory as mlc's, so a later fetch
// may replace it.
const ManifestName = ".mlc-fetch.json"

// FetchInto runs f into a staging directory next to out and moves it to out
// only when every file arrived, so out is either the complete new fetch or
// untouched. An existing out is replaced only if it is empty or holds a
// previous fetch (a ManifestName file); any other directory is refused, so
// a mistyped --out never deletes someone's files.
func FetchInto(ctx context.Context, f Fetcher, out string) (*Manifest, error) {
	out = filepath.Clean(out)
	if err := checkReplaceable(out); err != nil {
		return nil, err
	}
	parent, base := filepath.Split(out)
	if parent == "" {
		parent = "."
	}
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	stage, err := os.MkdirTemp(parent, "."+base+".mlc-fetch-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(stage) // a no-op once it was renamed to out
	m, err := f.Fetch(ctx, stage)
	if err != nil {
		return nil, err
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(stage, ManifestName), append(data, '\n'), 0o644); err != nil {
		return nil, err
	}
	if err := os.Chmod(stage, 0o755); err != nil { // MkdirTemp made it 0700
		return nil, err
	}
	if err := replaceDir(out, stage); err != nil {
		return nil, err
	}
	return m, nil
}

// OutputError is an output directory FetchInto will not write to.
type OutputError struct {
	Dir string
	Msg string // why, and what to do
}

func (e *OutputError) Error() string { return fmt.Sprintf("output %s: %s", e.Dir, e.Msg) }

func checkReplaceable(out string) error {
	if b := filepath.Base(out); b == "." || b == ".." || b == string(filepath.Separator) {
		return &OutputError{out, "give --out a new or mlc-fetched directory, not the current or a parent directory"}
	}
	entries, err := os.ReadDir(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return &OutputError{out, fmt.Sprintf("%v; give --out a directory", unwrapPathError(err))}
	case len(entries) == 0:
		return nil
	}
	if _, err := os.Stat(filepath.Join(out, ManifestName)); err != nil {
		return &OutputError{out, "the directory is not empty and was not written by mlc fetch; remove it or choose another --out"}
	}
	return nil
}

// replaceDir moves stage to out, moving a previous out aside first and
// deleting it afterwards.
func replaceDir(out, stage string) error {
	old := stage + ".old"
	hadOld := true
	if err := os.Rename(out, old); errors.Is(err, os.ErrNotExist) {
		hadOld = false
	} else if err != nil {
		return err
	}
	if err := os.Rename(stage, out); err != nil {
		if hadOld {
			os.Rename(old, out) // put the previous fetch back
		}
		return err
	}
	if hadOld {
		return os.RemoveAll(old)
	}
	return nil
}
