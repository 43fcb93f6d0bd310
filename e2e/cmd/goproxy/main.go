// Command goproxy lays out a file-based Go module proxy (GOPROXY=file://DIR)
// serving one version of a module from a git commit of its repository, so
// `go install MODULE/cmd/x@VERSION` works where that version was never
// published. Other modules come from the next proxy in GOPROXY.
//
//	goproxy -repo . -module github.com/mlc-project/mlc -version v0.1.0-e2e.abc -out DIR
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"golang.org/x/mod/module"
	"golang.org/x/mod/zip"
)

func main() {
	repo := flag.String("repo", ".", "git repository holding the module at its root")
	rev := flag.String("rev", "HEAD", "commit to serve")
	mod := flag.String("module", "", "module path")
	version := flag.String("version", "", "version to serve it as")
	out := flag.String("out", "", "proxy directory (GOPROXY=file://DIR)")
	flag.Parse()
	if err := run(*repo, *rev, module.Version{Path: *mod, Version: *version}, *out); err != nil {
		fmt.Fprintln(os.Stderr, "goproxy:", err)
		os.Exit(1)
	}
}

func run(repo, rev string, m module.Version, out string) error {
	if err := module.Check(m.Path, m.Version); err != nil {
		return err
	}
	esc, err := module.EscapePath(m.Path)
	if err != nil {
		return err
	}
	dir := filepath.Join(out, filepath.FromSlash(esc), "@v")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	gomod, err := os.ReadFile(filepath.Join(repo, "go.mod"))
	if err != nil {
		return err
	}
	zf, err := os.CreateTemp(dir, ".zip-*")
	if err != nil {
		return err
	}
	defer os.Remove(zf.Name())
	tree, err := committedTree(repo, rev)
	if err != nil {
		zf.Close()
		return err
	}
	defer os.RemoveAll(tree)
	// CreateFromDir leaves out nested modules (e2e/, testdata/conformance/*).
	if err := zip.CreateFromDir(zf, m, tree); err != nil {
		zf.Close()
		return err
	}
	if err := zf.Close(); err != nil {
		return err
	}
	info, _ := json.Marshal(struct{ Version, Time string }{m.Version, time.Now().UTC().Format(time.RFC3339)})
	for ext, data := range map[string][]byte{".mod": gomod, ".info": info} {
		if err := os.WriteFile(filepath.Join(dir, m.Version+ext), data, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(zf.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(zf.Name(), filepath.Join(dir, m.Version+".zip")); err != nil {
		return err
	}
	return addToList(filepath.Join(dir, "list"), m.Version)
}

// committedTree extracts the commit's files (git archive) into a temporary
// directory: only what is committed is served, and a git worktree works
// as well as a clone.
func committedTree(repo, rev string) (string, error) {
	dir, err := os.MkdirTemp("", "goproxy-tree-")
	if err != nil {
		return "", err
	}
	cmd := exec.Command("sh", "-c", `git -C "$1" archive "$2" | tar -x -C "$3"`, "sh", repo, rev, dir)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("git archive %s: %w", rev, err)
	}
	return dir, nil
}

func addToList(path, version string) error {
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return err
	}
	versions := strings.Fields(string(data))
	if !slices.Contains(versions, version) {
		versions = append(versions, version)
	}
	slices.Sort(versions)
	return os.WriteFile(path, []byte(strings.Join(versions, "\n")+"\n"), 0o644)
}
