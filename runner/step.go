package runner

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"unicode"

	"github.com/mlc-project/mlc/internal/stepoutput"
	"github.com/mlc-project/mlc/ir"
)

// stepResult is what a step left: its exit code, the key=value outputs it
// wrote to $MLC_OUTPUT, and its headline (the first line of its output
// that has words), which the progress shows.
type stepResult struct {
	code     int
	outputs  map[string]string
	headline string
}

// step runs one step.
func (r *run) step(ctx context.Context, j *ir.Job, st ir.Step, vals values, log *os.File) (stepResult, error) {
	outFile := filepath.Join(r.dir, "outputs", j.ID, st.ID+".env")
	failed := stepResult{code: -1}
	if err := os.MkdirAll(filepath.Dir(outFile), 0o755); err != nil {
		return failed, err
	}
	if err := os.Remove(outFile); err != nil && !os.IsNotExist(err) {
		return failed, err
	}
	e, err := r.stepEnv(j, st, vals, outFile)
	if err != nil {
		fmt.Fprintf(log, "== step %s: %v\n", st.ID, err)
		return failed, err
	}
	if st.Kind == ir.StepTrigger {
		var msgs []string
		for _, w := range st.Triggers {
			msgs = append(msgs, r.trigger(w, log))
		}
		if len(msgs) > 1 {
			return stepResult{headline: fmt.Sprintf("%s, and %d more", msgs[0], len(msgs)-1)}, nil
		}
		return stepResult{headline: strings.Join(msgs, "")}, nil
	}
	p, err := r.command(st, e)
	if err != nil {
		fmt.Fprintf(log, "== step %s: %v\n", st.ID, err)
		return failed, err
	}
	if st.Kind == ir.StepBuildImage {
		fmt.Fprintln(log, "== no Docker engine: the build context is pushed as an OCI artifact, not built into an image")
	}
	fmt.Fprintf(log, "== step %s (%s) in %s\n$ %s\n", st.ID, st.Kind, relOr(r.root, p.dir), ir.ShellWords(p.argv))
	start, _ := log.Seek(0, io.SeekCurrent)
	res := stepResult{}
	res.code, err = p.run(ctx, log, r.opts.KillGrace)
	res.headline = headline(log.Name(), start)
	if st.Kind == ir.StepBuildImage {
		res.headline = "no Docker engine, the context went to the store as an OCI artifact: " + res.headline
	}
	outs, readErr := readOutputs(outFile)
	if err == nil && readErr != nil {
		err = readErr
	}
	res.outputs = outs
	return res, err
}

// headline is the first line with a letter in it written to the file
// after offset, shortened to fit a progress line.
func headline(path string, offset int64) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return ""
	}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.Join(strings.Fields(sc.Text()), " ")
		if strings.IndexFunc(line, unicode.IsLetter) >= 0 {
			if r := []rune(line); len(r) > 110 {
				line = string(r[:109]) + "…"
			}
			return line
		}
	}
	return ""
}

// stepEnv is the step's whole environment: nothing of the host's but PATH
// and HOME, then the run's MLC_* variables, the job's env, its inputs, the
// step's env and the step's secrets, later ones winning.
func (r *run) stepEnv(j *ir.Job, st ir.Step, vals values, outFile string) (*env, error) {
	e := newEnv()
	if home, ok := r.opts.LookupEnv("HOME"); ok {
		e.set("HOME", home)
	}
	e.set("PATH", r.path)
	for _, v := range j.Env {
		val, err := vals.value(v)
		if err != nil {
			return nil, err
		}
		e.set(v.Name, val)
	}
	for k, v := range r.runtimeEnv() {
		e.set(k, v)
	}
	e.set("MLC_OUTPUT", outFile)
	for _, in := range j.Inputs {
		e.set(in.Env, vals.inputs[in.Name])
	}
	for _, v := range st.Env {
		val, err := vals.value(v)
		if err != nil {
			return nil, err
		}
		e.set(v.Name, val)
	}
	for _, name := range st.Secrets {
		if v, ok := r.secret(name); ok {
			e.setSecret(name, v)
		}
	}
	return e, nil
}

// runtimeEnv are the variables every step of a local run gets.
func (r *run) runtimeEnv() map[string]string {
	vars := map[string]string{
		"MLC_BASE":       r.opts.Base,
		"MLC_RUN_ID":     r.journal.rec.ID,
		"MLC_REVISION":   r.revision,
		"MLC_REGISTRY":   r.store, // forced: nothing needs a registry server
		"MLC_SPEC_DIR":   r.specDir,
		"MLC_WORKSPACE":  r.root,
		"MLC_COSIGN_PUB": string(r.keys.public),
		// Python's bytecode caches go to the run, not into the workspace
		// (and from there into pushed code artifacts).
		"PYTHONPYCACHEPREFIX": filepath.Join(r.dir, "pycache"),
	}
	if r.opts.Offline {
		vars["MLC_OFFLINE"] = "true"
		vars["MLC_FIXTURES"] = r.opts.Fixtures
	}
	return vars
}

// command is the process a step runs: mlc itself with argv, a script in
// sh -ec, or the local stand-in for an image build.
func (r *run) command(st ir.Step, e *env) (*process, error) {
	dir := filepath.Join(r.root, filepath.FromSlash(st.Dir))
	switch st.Kind {
	case ir.StepMLC:
		args, err := e.expand(st.Args)
		if err != nil {
			return nil, err
		}
		return &process{argv: append([]string{r.opts.MLC}, args...), dir: dir, env: e.list()}, nil
	case ir.StepScript:
		return &process{argv: []string{"sh", "-ec", st.Script}, dir: dir, env: e.list()}, nil
	case ir.StepBuildImage:
		return r.buildImage(st.Build, e)
	}
	return nil, fmt.Errorf("step kind %q is not supported by local runs", st.Kind)
}

// readOutputs parses what a step appended to $MLC_OUTPUT.
func readOutputs(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return map[string]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	outs, err := stepoutput.Parse(f)
	if err != nil {
		return nil, fmt.Errorf("$MLC_OUTPUT: %w", err)
	}
	return outs, nil
}

// relOr is path relative to base, or path itself when it is outside.
func relOr(base, path string) string {
	if rel, err := filepath.Rel(base, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
