package runner

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/mlc-project/mlc/internal/atomicfile"
)

// Status is the state of a run, a job or a step.
type Status string

const (
	StatusPending   Status = "pending"
	StatusRunning   Status = "running"
	StatusSucceeded Status = "succeeded"
	StatusFailed    Status = "failed"
	StatusSkipped   Status = "skipped"   // a need failed, or the job's condition was false
	StatusCancelled Status = "cancelled" // the run was interrupted
	StatusReused    Status = "reused"    // --resume: an earlier run's result still holds
)

// ok reports whether dependants of a job in this state may run.
func (s Status) ok() bool { return s == StatusSucceeded || s == StatusReused }

// Record is what a run leaves in .mlc/runs/<id>/record.json: enough to
// audit it and to resume it.
type Record struct {
	ID        string       `json:"id"`
	Pipeline  string       `json:"pipeline"`
	Workflow  string       `json:"workflow"`
	SpecDir   string       `json:"spec_dir"`
	Revision  string       `json:"revision"`
	Registry  string       `json:"registry"`
	Offline   bool         `json:"offline"`
	Approved  []string     `json:"approved,omitempty"`
	Status    Status       `json:"status"`
	Started   time.Time    `json:"started"`
	Finished  time.Time    `json:"finished,omitzero"`
	Jobs      []*JobRecord `json:"jobs"`
	OnFailure *JobRecord   `json:"on_failure,omitempty"`
	// Triggered are the workflows this run started (retraining on drift);
	// ChainedFrom is the run that started this one.
	Triggered   []string `json:"triggered,omitempty"`
	ChainedFrom string   `json:"chained_from,omitempty"`
}

// JobRecord is one job's outcome.
type JobRecord struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	Image    string            `json:"image,omitempty"` // recorded, not used: steps run on the host
	Status   Status            `json:"status"`
	Reason   string            `json:"reason,omitempty"` // why it failed or was skipped
	Attempts int               `json:"attempts,omitempty"`
	Started  time.Time         `json:"started,omitzero"`
	Seconds  float64           `json:"seconds"`
	Log      string            `json:"log,omitempty"` // relative to the run directory
	Inputs   map[string]string `json:"inputs,omitempty"`
	// InputDigest identifies everything the job's result depends on; a
	// resumed run reuses the job when it is unchanged.
	InputDigest string            `json:"input_digest,omitempty"`
	Outputs     map[string]string `json:"outputs,omitempty"`
	Steps       []StepRecord      `json:"steps,omitempty"`
}

// StepRecord is one step's outcome in the job's last attempt.
type StepRecord struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	Status   Status  `json:"status"`
	ExitCode int     `json:"exit_code,omitempty"`
	Seconds  float64 `json:"seconds"`
}

// recordFile is the record's name inside the run directory.
const recordFile = "record.json"

// journal saves the record after every change, atomically, so an
// interrupted run leaves a readable record behind.
type journal struct {
	mu   sync.Mutex
	dir  string
	rec  *Record
	jobs map[string]*JobRecord
}

func newJournal(dir string, rec *Record) *journal {
	j := &journal{dir: dir, rec: rec, jobs: map[string]*JobRecord{}}
	for _, jr := range rec.Jobs {
		j.jobs[jr.ID] = jr
	}
	return j
}

// update changes the record under the lock and saves it.
func (j *journal) update(fn func(*Record)) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	fn(j.rec)
	return j.saveLocked()
}

// job reads a job's record under the lock.
func (j *journal) job(id string) JobRecord {
	j.mu.Lock()
	defer j.mu.Unlock()
	return *j.jobs[id]
}

func (j *journal) saveLocked() error {
	b, err := json.MarshalIndent(j.rec, "", "  ")
	if err != nil {
		return err
	}
	if err := atomicfile.Write(filepath.Join(j.dir, recordFile), append(b, '\n')); err != nil {
		return fmt.Errorf("saving the run record: %w", err)
	}
	return nil
}

// loadRecord reads the record of run id under runsDir.
func loadRecord(runsDir, id string) (*Record, error) {
	b, err := os.ReadFile(filepath.Join(runsDir, id, recordFile))
	if err != nil {
		if os.IsNotExist(err) {
			return nil, fmt.Errorf("no run %q in %s: pass an ID listed there", id, runsDir)
		}
		return nil, err
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, fmt.Errorf("run %s: %s is damaged: %w", id, recordFile, err)
	}
	return &rec, nil
}
