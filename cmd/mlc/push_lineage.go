package main

import (
	"context"

	"github.com/spf13/cobra"
)

// lineageFlags are the push flags that attach a signed provenance
// attestation to the pushed artifact.
type lineageFlags struct{}

func addLineageFlags(cmd *cobra.Command) *lineageFlags { return &lineageFlags{} }

// attach attests subject (a reference by digest); a no-op without --from-* flags.
func (f *lineageFlags) attach(ctx context.Context, subject string) error { return nil }
