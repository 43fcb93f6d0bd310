// Package runner executes a compiled workflow on this machine: its jobs as
// host processes in dependency order, independent jobs in parallel, with
// the pipeline's registry replaced by an OCI layout in the spec directory.
// It is what `mlc run` does, and what lets a newcomer see a whole delivery
// pipeline work before they own a cluster.
//
// Every run leaves .mlc/runs/<id>/ behind: a log per job, each step's
// outputs, a copy of the signing keys and record.json, which a later run
// resumes from. The keys belong to the local store (.mlc/keys, made by the
// first run, never the host's keys), so later runs verify earlier ones.
package runner

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/mlc-project/mlc/gitops"
	"github.com/mlc-project/mlc/ir"
)

// Options configure a run.
type Options struct {
	Pipeline *ir.Pipeline
	// Workflow is "delivery", "monitor" or "ci", or a full workflow name;
	// "" is the resumed run's workflow, or delivery.
	Workflow string
	// SpecDir is the directory holding pipeline.cue.
	SpecDir string
	// MLC is the mlc binary that mlc steps run.
	MLC string
	// Jobs bounds how many jobs run at once (at least 1).
	Jobs int
	// Approve lists environments approved in advance.
	Approve []string
	// Prompt asks a person a yes/no question; nil when nobody can answer
	// (no terminal), so approvals not given by Approve fail.
	Prompt func(question string) (bool, error)
	// Offline makes mlc fetch read Fixtures instead of the network.
	Offline  bool
	Fixtures string
	// Base is the commit the change goes on (MLC_BASE): a change-aware
	// workflow runs only the stages the change from it reaches; "": all.
	Base string
	// Resume is the ID of an earlier run to continue.
	Resume string
	// Out receives progress lines and the summary.
	Out io.Writer
	// LookupEnv reads the host environment (secrets, PATH, HOME).
	LookupEnv func(string) (string, bool)
	// KillGrace is how long a cancelled step has between SIGTERM and SIGKILL.
	KillGrace time.Duration
	// NoChain stops a trigger step from starting its workflow once the run
	// ends; ChainedFrom is set on the run a trigger started.
	NoChain     bool
	ChainedFrom string
}

// localStore is the registry of local runs: an OCI layout in the spec
// directory, where mlc steps run. Relative, so references in records and
// signed provenance do not name this machine's paths.
const localStore = "oci:.mlc/store"

// ErrFailed is returned (wrapped) when the run ended with a failed job.
var ErrFailed = errors.New("run failed")

// ErrInterrupted is returned (wrapped) when ctx ended the run early.
var ErrInterrupted = errors.New("run interrupted")

// run is one execution of a workflow.
type run struct {
	opts     Options
	wf       *ir.Workflow
	root     string // workspace: the repository root step directories are relative to
	specDir  string
	dir      string // .mlc/runs/<id>
	store    string // the registry every ref resolves against, relative to specDir
	revision string
	path     string // PATH of every step
	keys     keyPair
	provided map[string]string // secrets the run supplies itself
	previous map[string]*JobRecord
	journal  *journal
	progress *progress
	done     map[string]chan struct{}
	slots    chan struct{}
	promptMu sync.Mutex
}

// Run executes the workflow Options name and returns its record. Bad
// options or a missing secret are errors before anything runs; a failed
// job is ErrFailed, an interrupted run ErrInterrupted, both with the record.
//
// Workflows a trigger step started (the monitor's retraining) run next,
// one after the other, as the engines would start them; the error is then
// the first failure among all the runs. The delivery (ci, batch) of a
// split spec is each group's delivery (ci, batch) workflow, run the same
// way after the first.
func Run(ctx context.Context, opts Options) (*Record, error) {
	lock, err := lockSpecDir(opts.SpecDir)
	if err != nil {
		return nil, err
	}
	defer lock.Close()
	kind := cmp.Or(opts.Workflow, ir.WorkflowDelivery)
	split := splitRuns(opts)
	if len(split) > 0 {
		opts.Workflow = split[0]
	}
	rec, err := runOnce(ctx, opts)
	if rec == nil {
		return rec, err
	}
	for i, wf := range split[min(1, len(split)):] {
		if ctx.Err() != nil {
			break
		}
		next := opts
		next.Workflow = wf
		fmt.Fprintf(opts.Out, "\n== %s %d of %d: %s\n\n", kind, i+2, len(split), wf)
		r, rerr := runOnce(ctx, next)
		if err == nil {
			err = rerr
		}
		if r != nil {
			rec.Triggered = append(rec.Triggered, r.Triggered...)
		}
	}
	for _, wf := range rec.Triggered {
		if ctx.Err() != nil {
			break
		}
		next := opts
		// A started run is no push: it has no base, and runs every stage
		// (a retraining must train).
		next.Workflow, next.Resume, next.ChainedFrom, next.Base = wf, "", rec.ID, ""
		fmt.Fprintf(opts.Out, "\n== run %s started workflow %s: running it now (--no-chain stops this)\n\n", rec.ID, wf)
		chained, cerr := runOnce(ctx, next)
		if chained != nil {
			fmt.Fprintf(opts.Out, "\nchain: %s run %s %s → %s run %s %s\n", rec.Workflow, rec.ID, rec.Status, chained.Workflow, chained.ID, chained.Status)
		}
		if err == nil {
			err = cerr
		}
	}
	return rec, err
}

// runOnce is one run of one workflow, the spec directory locked.
func runOnce(ctx context.Context, opts Options) (*Record, error) {
	r, err := prepare(opts)
	if err != nil {
		return nil, err
	}
	sink, err := r.startAlertSink()
	if err != nil {
		_ = r.journal.update(func(rc *Record) { rc.Status = StatusFailed })
		return nil, err
	}
	defer sink.close()
	r.header()

	var wg sync.WaitGroup
	for _, j := range r.wf.Jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer close(r.done[j.ID])
			r.runJob(ctx, j)
		}()
	}
	wg.Wait()
	return r.finish(ctx)
}

// prepare checks the options, then lays out the run directory.
func prepare(opts Options) (*run, error) {
	r, err := newRun(opts)
	if err != nil {
		return nil, err
	}
	id := opts.Resume
	if id != "" {
		err = r.resume(id)
	} else {
		id = newRunID()
		r.keys, err = storeKeys(r.specDir)
	}
	if err != nil {
		return nil, err
	}
	if r.revision == "" {
		r.revision = "run-" + id
	}
	r.provided = r.suppliedSecrets()
	if err := r.checkSecrets(); err != nil {
		return nil, err
	}
	return r, r.open(id) // nothing is written before the checks pass
}

// newRun checks the options and resolves the directories.
func newRun(opts Options) (*run, error) {
	if opts.Jobs < 1 {
		opts.Jobs = 1
	}
	if opts.KillGrace == 0 {
		opts.KillGrace = 5 * time.Second
	}
	if opts.LookupEnv == nil {
		opts.LookupEnv = os.LookupEnv
	}
	specDir, err := filepath.Abs(opts.SpecDir)
	if err != nil {
		return nil, err
	}
	if opts.Workflow == "" && opts.Resume != "" { // the resumed run's
		prev, err := loadRecord(runsDir(specDir), opts.Resume)
		if err != nil {
			return nil, err
		}
		opts.Workflow = prev.Workflow
	}
	wf, err := selectWorkflow(opts.Pipeline, opts.Workflow)
	if err != nil {
		return nil, err
	}
	root, err := workspaceRoot(specDir, opts.Pipeline.SpecDir)
	if err != nil {
		return nil, err
	}
	if opts.Offline && opts.Fixtures == "" {
		return nil, errors.New("--offline needs --fixtures DIR: the directory holding each dataset's files (docs/adapters.md)")
	}
	if opts.Fixtures != "" {
		if opts.Fixtures, err = filepath.Abs(opts.Fixtures); err != nil {
			return nil, err
		}
		if st, err := os.Stat(opts.Fixtures); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("--fixtures %s: not a directory", opts.Fixtures)
		}
	}
	revision, _ := gitops.Head(specDir)
	r := &run{
		opts:     opts,
		wf:       wf,
		root:     root,
		specDir:  specDir,
		store:    localStore,
		revision: revision,
		done:     map[string]chan struct{}{},
		slots:    make(chan struct{}, opts.Jobs),
		previous: map[string]*JobRecord{},
	}
	for _, j := range wf.Jobs {
		r.done[j.ID] = make(chan struct{})
	}
	return r, nil
}

func runsDir(specDir string) string { return filepath.Join(specDir, ".mlc", "runs") }

// storeKeys is the signing key pair of the spec's local store, made by its
// first run: every later run (the monitor after the delivery) signs with it
// and verifies what earlier runs signed, as a CI system's one key would.
func storeKeys(specDir string) (keyPair, error) {
	dir := filepath.Join(specDir, ".mlc", "keys")
	k, err := loadKeys(dir)
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return keyPair{}, err
	}
	if k, err = newKeys(); err != nil {
		return keyPair{}, err
	}
	return k, k.save(dir)
}

// resume takes the earlier run's results, signing keys and revision: a
// resumed run goes on building the same revision, so its tags stay
// consistent (edited files still change the input digests).
func (r *run) resume(id string) error {
	prev, err := loadRecord(runsDir(r.specDir), id)
	if err != nil {
		return err
	}
	if prev.Workflow != r.wf.Name {
		return fmt.Errorf("run %s ran workflow %s, not %s: pass --workflow %s to resume it", id, prev.Workflow, r.wf.Name, shortName(r.opts.Pipeline, prev.Workflow))
	}
	if r.keys, err = loadKeys(filepath.Join(runsDir(r.specDir), id, "keys")); err != nil {
		return err
	}
	for _, jr := range prev.Jobs {
		r.previous[jr.ID] = jr
	}
	r.revision = prev.Revision
	return nil
}

// open creates the run directory with its keys and first record.
func (r *run) open(id string) error {
	r.dir = filepath.Join(runsDir(r.specDir), id)
	if err := os.MkdirAll(filepath.Join(r.dir, "outputs"), 0o755); err != nil {
		return err
	}
	if err := r.keys.save(filepath.Join(r.dir, "keys")); err != nil {
		return err
	}
	path, err := hostPath(r.opts.LookupEnv, filepath.Join(r.dir, "bin"), r.opts.MLC)
	if err != nil {
		return err
	}
	r.path = path
	rec := &Record{
		ID: id, Pipeline: r.opts.Pipeline.Name, Workflow: r.wf.Name, SpecDir: r.specDir,
		Revision: r.revision, Registry: r.store, Offline: r.opts.Offline, Approved: r.opts.Approve,
		Status: StatusRunning, Started: time.Now().UTC(), ChainedFrom: r.opts.ChainedFrom,
	}
	for _, j := range r.wf.Jobs {
		rec.Jobs = append(rec.Jobs, &JobRecord{ID: j.ID, Name: j.Name, Image: j.Image, Status: StatusPending})
	}
	r.journal = newJournal(r.dir, rec)
	r.progress = newProgress(r.opts.Out, r.wf.Jobs)
	return r.journal.update(func(*Record) {})
}

// lockSpecDir makes sure one run at a time uses the spec directory's
// .mlc: runs share its work directories, as CI runs of one workflow
// share nothing only because each gets its own checkout.
func lockSpecDir(specDir string) (*os.File, error) {
	dir := filepath.Join(specDir, ".mlc")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(filepath.Join(dir, "run.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("another mlc run is using %s: wait for it to finish (its progress is in %s)", dir, filepath.Join(dir, "runs"))
		}
		return nil, fmt.Errorf("locking %s: %w", dir, err)
	}
	return f, nil // closing it releases the lock
}

// splitRuns are the workflows of a split spec's kind opts ask for
// ("delivery" when nothing, "ci" or "batch": each group's), sorted; nil
// when a workflow has that name, as a spec that is not split has.
func splitRuns(opts Options) []string {
	p, kind := opts.Pipeline, cmp.Or(opts.Workflow, ir.WorkflowDelivery)
	if opts.Resume != "" || p == nil {
		return nil
	}
	var names []string
	for _, w := range p.Workflows {
		if w.Name == kind || w.Name == p.Name+"-"+kind {
			return nil
		}
		if w.Kind == kind {
			names = append(names, w.Name)
		}
	}
	slices.Sort(names)
	return names
}

// selectWorkflow finds the workflow by short ("delivery") or full name.
func selectWorkflow(p *ir.Pipeline, name string) (*ir.Workflow, error) {
	if name == "" {
		name = "delivery"
	}
	var names []string
	for _, w := range p.Workflows {
		if w.Name == name || w.Name == p.Name+"-"+name {
			return w, nil
		}
		names = append(names, shortName(p, w.Name))
	}
	return nil, fmt.Errorf("pipeline %s has no workflow %q: choose one of %s", p.Name, name, strings.Join(names, ", "))
}

func shortName(p *ir.Pipeline, workflow string) string {
	return strings.TrimPrefix(workflow, p.Name+"-")
}

// workspaceRoot is the directory step directories are relative to: the
// spec directory with the IR's SpecDir (relative to the repository root)
// taken off its end.
func workspaceRoot(specDir, rel string) (string, error) {
	if rel == "" || rel == "." {
		return specDir, nil
	}
	rel = filepath.FromSlash(rel)
	if !strings.HasSuffix(specDir, string(filepath.Separator)+rel) {
		return "", fmt.Errorf("spec directory %s does not end in %s, the directory the pipeline was compiled for", specDir, rel)
	}
	return strings.TrimSuffix(specDir, string(filepath.Separator)+rel), nil
}

// newRunID is sortable by start time and unique across parallel runs.
func newRunID() string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return time.Now().UTC().Format("20060102-150405") + "-" + hex.EncodeToString(b)
}

// finish runs the failure steps when a job failed, closes the record and
// prints the summary.
func (r *run) finish(ctx context.Context) (*Record, error) {
	var failed, cancelled int
	for _, j := range r.wf.Jobs {
		switch r.journal.job(j.ID).Status {
		case StatusFailed:
			failed++
		case StatusCancelled:
			cancelled++
		}
	}
	status := StatusSucceeded
	switch {
	case ctx.Err() != nil || cancelled > 0:
		status = StatusCancelled
	case failed > 0:
		status = StatusFailed
		r.runOnFailure(ctx)
	}
	var rec Record
	err := r.journal.update(func(rc *Record) {
		rc.Status = status
		rc.Finished = time.Now().UTC()
		rec = *rc
	})
	r.progress.summary(&rec, r.relDir())
	if err != nil {
		return &rec, err
	}
	switch status {
	case StatusFailed:
		return &rec, fmt.Errorf("%w: %d job(s) failed; logs in %s", ErrFailed, failed, r.relDir())
	case StatusCancelled:
		return &rec, fmt.Errorf("%w: resume with --resume %s", ErrInterrupted, rec.ID)
	}
	return &rec, nil
}

// runOnFailure runs the workflow's alert steps as one extra job.
func (r *run) runOnFailure(ctx context.Context) {
	if len(r.wf.OnFailure) == 0 || ctx.Err() != nil {
		return
	}
	j := &ir.Job{ID: "on-failure", Name: "Alert on failure", Steps: r.wf.OnFailure}
	for _, st := range j.Steps {
		j.Secrets = append(j.Secrets, st.Secrets...)
	}
	jr := &JobRecord{ID: j.ID, Name: j.Name, Status: StatusPending}
	_ = r.journal.update(func(rc *Record) { rc.OnFailure = jr; r.journal.jobs[j.ID] = jr })
	r.progress.register(j.ID)
	r.execute(ctx, j, map[string]string{}, "")
}

// relDir is the run directory as the user would type it.
func (r *run) relDir() string {
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, r.dir); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return r.dir
}

// header says what the run is and what differs from a CI run.
func (r *run) header() {
	out := r.opts.Out
	if out == nil {
		return
	}
	rec := r.journal.rec
	fmt.Fprintf(out, "mlc run: workflow %s, run %s, revision %s, %d jobs, up to %d at a time\n",
		rec.Workflow, rec.ID, shortRevision(rec.Revision), len(r.wf.Jobs), r.opts.Jobs)
	fmt.Fprintf(out, "  steps run as host processes with a clean environment; container images are recorded, not used\n")
	fmt.Fprintf(out, "  registry: %s (local OCI layout); signing: local store key %s\n", relOr(mustWd(), filepath.Join(r.specDir, strings.TrimPrefix(r.store, "oci:"))), filepath.Join(r.relDir(), "keys", "cosign.pub"))
	if r.opts.Offline {
		fmt.Fprintf(out, "  offline: data from %s\n", relOr(mustWd(), r.opts.Fixtures))
	}
	if len(r.previous) > 0 {
		fmt.Fprintf(out, "  resuming: jobs whose inputs and outputs are unchanged are reused\n")
	}
}

func shortRevision(rev string) string {
	if len(rev) == 40 {
		return rev[:12]
	}
	return rev
}
