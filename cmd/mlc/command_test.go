package main

import (
	"errors"
	"io"
	"testing"

	"github.com/spf13/cobra"
)

// runCommand runs cmd with args, its output discarded, and returns its
// exit code, mapped as main does, and its error text.
func runCommand(t *testing.T, cmd *cobra.Command, args ...string) (int, string) {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(io.Discard)
	cmd.SetErr(io.Discard)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	var ee *exitError
	switch {
	case err == nil:
		return exitOK, ""
	case errors.As(err, &ee):
		return ee.code, err.Error()
	default:
		return exitBadInput, err.Error()
	}
}
