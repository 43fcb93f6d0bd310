package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

// process is one step's command: argv with no shell in between, a working
// directory and the complete environment.
type process struct {
	argv []string
	dir  string
	env  []string
}

// run starts p in its own process group, with stdout and stderr going to
// log, and waits for it. log is a file, not a pipe: a pipe would keep Wait
// waiting for any background child that inherited it. When ctx ends it sends SIGTERM to the whole group
// and SIGKILL after grace. Whatever the outcome, the group is killed at the
// end, so nothing a step started in the background outlives it.
func (p process) run(ctx context.Context, log *os.File, grace time.Duration) (exitCode int, err error) {
	cmd := exec.Command(p.argv[0], p.argv[1:]...)
	cmd.Dir = p.dir
	cmd.Env = p.env
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return -1, fmt.Errorf("starting %s: %w", p.argv[0], err)
	}
	group := -cmd.Process.Pid
	defer syscall.Kill(group, syscall.SIGKILL) //nolint:errcheck // ESRCH: the group is gone already

	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	select {
	case err = <-waited:
	case <-ctx.Done():
		_ = syscall.Kill(group, syscall.SIGTERM)
		select {
		case err = <-waited:
		case <-time.After(grace):
			_ = syscall.Kill(group, syscall.SIGKILL)
			err = <-waited
		}
		return -1, ctx.Err()
	}
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), fmt.Errorf("exit status %d", exit.ExitCode())
	}
	if err != nil {
		return -1, err
	}
	return 0, nil
}
