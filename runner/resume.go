package runner

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// inputDigest identifies what a job's result depends on: its definition,
// its input values (artifact references by digest), the revision, whether
// the run is offline, and the files directly in the directories its
// scripts run in (the user's code). Subdirectories are not hashed.
func (r *run) inputDigest(j *ir.Job, inputs map[string]string) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	if err := enc.Encode(struct {
		Job      *ir.Job
		Inputs   map[string]string
		Revision string
		Offline  bool
	}{j, inputs, r.revision, r.opts.Offline}); err != nil {
		return "", err
	}
	dirs := map[string]bool{}
	for _, st := range j.Steps {
		if st.Kind == ir.StepScript {
			dirs[filepath.Join(r.root, filepath.FromSlash(st.Dir))] = true
		}
	}
	var sorted []string
	for d := range dirs {
		sorted = append(sorted, d)
	}
	sort.Strings(sorted)
	for _, d := range sorted {
		if err := hashFiles(h, d); err != nil {
			return "", err
		}
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// bigFile is the size above which a file counts by size and modification
// time instead of content: code is small, binaries beside it may not be.
const bigFile = 1 << 20

// hashFiles writes the names and contents of the regular files in dir.
func hashFiles(w io.Writer, dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		id := fmt.Sprintf("%d %d", info.Size(), info.ModTime().UnixNano())
		if info.Size() <= bigFile {
			b, err := os.ReadFile(filepath.Join(dir, e.Name()))
			if err != nil {
				return err
			}
			sum := sha256.Sum256(b)
			id = hex.EncodeToString(sum[:])
		}
		fmt.Fprintf(w, "%s\x00%s\n", e.Name(), id)
	}
	return nil
}

// reusable is the resumed run's record of j when it succeeded with the
// same input digest and every artifact it produced is still in the store.
func (r *run) reusable(j *ir.Job, digest string) (*JobRecord, bool) {
	prev, ok := r.previous[j.ID]
	if !ok || !prev.Status.ok() || prev.InputDigest != digest {
		return nil, false
	}
	for _, v := range prev.Outputs {
		if !r.inStore(v) {
			return nil, false
		}
	}
	return prev, true
}

// inStore reports whether a reference by digest into the run's layout
// store still has its manifest blob; other values (drift=true) hold.
func (r *run) inStore(ref string) bool {
	layout, digest, ok := strings.Cut(strings.TrimPrefix(ref, "oci:"), "@")
	if !ok || !strings.HasPrefix(layout, strings.TrimPrefix(r.store, "oci:")) {
		return true
	}
	algo, hexDigest, ok := strings.Cut(digest, ":")
	if !ok {
		return false
	}
	_, err := os.Stat(filepath.Join(r.specDir, layout, "blobs", algo, hexDigest))
	return err == nil
}

// reuse takes over an earlier run's result for the job.
func (r *run) reuse(id string, prev *JobRecord) {
	_ = r.journal.update(func(*Record) {
		jr := r.journal.jobs[id]
		jr.Status, jr.Reason = StatusReused, ""
		jr.Inputs, jr.InputDigest, jr.Outputs, jr.Steps = prev.Inputs, prev.InputDigest, prev.Outputs, prev.Steps
		jr.Log, jr.Attempts, jr.Seconds = prev.Log, prev.Attempts, 0
	})
	r.progress.finished(r.journal.job(id))
}
