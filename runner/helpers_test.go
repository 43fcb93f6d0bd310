package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mlc-project/mlc/ir"
)

// The tests run fake pipelines made of sh scripts, so they depend on no
// other mlc command.

// script is a job with one script step.
func script(id, sh string, needs ...string) *ir.Job {
	return &ir.Job{ID: id, Name: "job " + id, Needs: needs, Steps: []ir.Step{{ID: "run", Kind: ir.StepScript, Script: sh}}}
}

func outputFrom(step, name string) ir.Output {
	return ir.Output{Name: name, Kind: ir.ArtifactValue, FromStep: step}
}

// harness is a spec directory, a pipeline of one workflow and the options
// to run it.
type harness struct {
	t    testing.TB
	dir  string
	p    *ir.Pipeline
	host map[string]string
	out  *syncBuffer
}

func newHarness(t testing.TB, jobs ...*ir.Job) *harness {
	dir := t.TempDir()
	wf := &ir.Workflow{Name: "t-delivery", Jobs: jobs}
	return &harness{
		t:    t,
		dir:  dir,
		p:    &ir.Pipeline{Name: "t", SpecDir: ".", Workflows: []*ir.Workflow{wf}},
		host: map[string]string{"PATH": os.Getenv("PATH"), "HOME": os.Getenv("HOME")},
		out:  &syncBuffer{},
	}
}

func (h *harness) options() Options {
	return Options{
		Pipeline:  h.p,
		SpecDir:   h.dir,
		MLC:       h.fakeMLC(),
		Jobs:      4,
		Out:       h.out,
		KillGrace: 200 * time.Millisecond,
		LookupEnv: func(k string) (string, bool) {
			v, ok := h.host[k]
			return v, ok
		},
	}
}

// fakeMLC is an "mlc" that records its argv, one argument per line.
func (h *harness) fakeMLC() string {
	path := filepath.Join(h.dir, "fake-mlc")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	body := "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$MLC_SPEC_DIR/argv\"\n"
	if err := os.WriteFile(path, []byte(body), 0o755); err != nil {
		h.t.Fatal(err)
	}
	return path
}

func (h *harness) run(ctx context.Context, opts Options) (*Record, error) {
	h.t.Helper()
	rec, err := Run(ctx, opts)
	h.t.Log(h.out.String())
	return rec, err
}

// job finds a job's record.
func job(t *testing.T, rec *Record, id string) *JobRecord {
	t.Helper()
	for _, jr := range rec.Jobs {
		if jr.ID == id {
			return jr
		}
	}
	t.Fatalf("no job %s in the record", id)
	return nil
}

// savedRecord reads record.json back, as a later resume would.
func (h *harness) savedRecord(id string) *Record {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, ".mlc", "runs", id, recordFile))
	if err != nil {
		h.t.Fatal(err)
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		h.t.Fatalf("record.json is not valid JSON: %v", err)
	}
	return &rec
}

func (h *harness) read(name string) string {
	h.t.Helper()
	b, err := os.ReadFile(filepath.Join(h.dir, name))
	if err != nil {
		h.t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// waitFor polls until the file exists.
func (h *harness) waitFor(name string) {
	h.t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if b, err := os.ReadFile(filepath.Join(h.dir, name)); err == nil && len(bytes.TrimSpace(b)) > 0 {
			return
		}
	}
	h.t.Fatalf("%s never appeared", name)
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
