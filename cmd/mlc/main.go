// Command mlc brings continuous delivery to machine learning: it compiles
// pipeline.cue into CI/CD workflows, runs the data and model gates, and
// pushes, signs and verifies datasets, models and code as OCI artifacts.
//
// This package only wires flags to library calls.
package main

import (
	"errors"
	"fmt"
	"os"
)

// Exit codes shared by every command.
const (
	exitOK       = 0
	exitFailed   = 1 // a check or gate failed, a diff was found, a signature did not verify
	exitBadInput = 2 // the input (spec, data, flags, reference) is wrong
)

// exitError carries an exit code up to main. Commands return it (through
// failed or badInput) instead of calling os.Exit, so deferred cleanup runs.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// failed reports a check that ran and did not pass (exit 1).
func failed(err error) error { return &exitError{code: exitFailed, err: err} }

// badInput reports input mlc cannot work with (exit 2).
func badInput(err error) error { return &exitError{code: exitBadInput, err: err} }

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	root := newRootCmd()
	root.SetArgs(args)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(os.Stderr, "mlc:", ee.err)
		}
		return ee.code
	}
	// cobra's own errors (unknown flag, wrong arg count) are usage errors.
	fmt.Fprintln(os.Stderr, "mlc:", err)
	return exitBadInput
}
