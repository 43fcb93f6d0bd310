package artifact

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// contextFiles lists the app's files: those of dir that its .dockerignore
// (Docker's rules, read with Docker's own matcher) does not exclude, minus
// the model directory when it lies inside dir.
func contextFiles(dir, modelDir string) ([]localFile, error) {
	files, err := listFiles(dir)
	if err != nil {
		return nil, err
	}
	patterns, err := readIgnore(dir)
	if err != nil {
		return nil, err
	}
	if modelDir != "" {
		if rel, err := filepath.Rel(dir, modelDir); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
			patterns = append(patterns, filepath.ToSlash(rel))
		}
	}
	if len(patterns) == 0 {
		return files, nil
	}
	pm, err := patternmatcher.New(patterns)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ".dockerignore"), err)
	}
	kept := files[:0]
	for _, f := range files {
		skip, err := pm.MatchesOrParentMatches(f.rel)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", filepath.Join(dir, ".dockerignore"), err)
		}
		if !skip {
			kept = append(kept, f)
		}
	}
	if len(kept) == 0 {
		return nil, fmt.Errorf("package: every file of %s is excluded (by its .dockerignore or as the model directory)", dir)
	}
	return kept, nil
}

// readIgnore reads dir's .dockerignore, inside dir (never through a link
// out of it); a missing one excludes nothing.
func readIgnore(dir string) ([]string, error) {
	path := filepath.Join(dir, ".dockerignore")
	f, err := os.OpenInRoot(dir, ".dockerignore")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	patterns, err := ignorefile.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return patterns, nil
}
