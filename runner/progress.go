package runner

import (
	"fmt"
	"io"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/mlc-project/mlc/ir"
)

// progress prints one line per event as jobs start and end, from many
// goroutines, and the summary table at the end.
type progress struct {
	mu    sync.Mutex
	out   io.Writer
	start time.Time
	width int // of the job ID column
}

func newProgress(out io.Writer, jobs []*ir.Job) *progress {
	if out == nil {
		out = io.Discard
	}
	p := &progress{out: out, start: time.Now()}
	for _, j := range jobs {
		p.register(j.ID)
	}
	return p
}

// register widens the job column for a job added later (on-failure).
func (p *progress) register(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.width = max(p.width, len(id))
}

func (p *progress) line(mark, job, text string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.start).Truncate(100 * time.Millisecond)
	fmt.Fprintf(p.out, "%7s %s %-*s  %s\n", fmtDuration(el), mark, p.width, job, text)
}

// started announces a job, and what of its definition a local run ignores.
func (p *progress) started(j *ir.Job) {
	var ignored []string
	if j.Image != "" {
		ignored = append(ignored, "image "+j.Image)
	}
	if res := resourcesText(j.Resources); res != "" {
		ignored = append(ignored, "resources "+res)
	}
	text := j.Name
	if len(ignored) > 0 {
		text += " (not used here: " + strings.Join(ignored, "; ") + ")"
	}
	p.line("▶", j.ID, text)
}

func resourcesText(r ir.Resources) string {
	var parts []string
	for _, kv := range [][2]string{{"cpu", r.CPU}, {"memory", r.Memory}, {"gpu", strconv.Itoa(r.GPU)}, {"gpu_type", r.GPUType}} {
		if kv[1] != "" && kv[1] != "0" {
			parts = append(parts, kv[0]+"="+kv[1])
		}
	}
	return strings.Join(parts, " ")
}

// step reports a finished step with what it said first.
func (p *progress) step(job string, sr StepRecord, headline string) {
	mark := "·"
	if sr.Status != StatusSucceeded {
		mark = "×"
	}
	text := fmt.Sprintf("%s %s %s", mark, sr.ID, fmtDuration(secs(sr.Seconds)))
	if headline != "" {
		text += "  " + headline
	}
	p.line(" ", job, text)
}

func (p *progress) note(job, text string) { p.line(" ", job, text) }

func (p *progress) alert(text string) { p.line("!", "alert", text+" (local alert sink)") }

func (p *progress) finished(jr JobRecord) {
	switch jr.Status {
	case StatusSucceeded:
		p.line("✓", jr.ID, fmtDuration(secs(jr.Seconds))+outputsText(jr.Outputs))
	case StatusReused:
		p.line("↺", jr.ID, "reused from the resumed run"+outputsText(jr.Outputs))
	case StatusFailed:
		p.line("✗", jr.ID, jr.Reason+logText(jr))
	default:
		p.line("-", jr.ID, string(jr.Status)+": "+jr.Reason)
	}
}

func logText(jr JobRecord) string {
	if jr.Log == "" {
		return ""
	}
	return " (log: " + jr.Log + ")"
}

// outputsText shows outputs briefly: references by their last path
// element and a short digest.
func outputsText(outs map[string]string) string {
	if len(outs) == 0 {
		return ""
	}
	keys := make([]string, 0, len(outs))
	for k := range outs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		parts = append(parts, k+"="+shortRef(outs[k]))
	}
	return "  " + strings.Join(parts, " ")
}

func shortRef(v string) string {
	name, digest, ok := strings.Cut(v, "@sha256:")
	if !ok {
		return v
	}
	return path.Base(name) + "@" + digest[:min(12, len(digest))]
}

// summary prints the table of jobs and the run's outcome.
func (p *progress) summary(rec *Record, dir string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	fmt.Fprintln(p.out)
	tw := tabwriter.NewWriter(p.out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "JOB\tSTATUS\tTIME\tOUTPUT / REASON")
	jobs := slices.Clone(rec.Jobs)
	if rec.OnFailure != nil {
		jobs = append(jobs, rec.OnFailure)
	}
	counts := map[Status]int{}
	for _, jr := range jobs {
		counts[jr.Status]++
		detail := strings.TrimSpace(outputsText(jr.Outputs))
		if jr.Reason != "" {
			detail = jr.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", jr.ID, jr.Status, fmtDuration(secs(jr.Seconds)), detail)
	}
	tw.Flush()
	var parts []string
	for _, st := range []Status{StatusSucceeded, StatusReused, StatusFailed, StatusSkipped, StatusCancelled} {
		if counts[st] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", counts[st], st))
		}
	}
	fmt.Fprintf(p.out, "\nrun %s %s in %s: %s\nrecord and logs: %s\n", rec.ID, rec.Status,
		fmtDuration(rec.Finished.Sub(rec.Started)), strings.Join(parts, ", "), dir)
}

func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

func fmtDuration(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1fs", d.Seconds())
	}
	return d.Truncate(time.Second).String()
}
