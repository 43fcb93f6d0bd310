package main

import "github.com/spf13/cobra"

func newCheckCmd() *cobra.Command {
	c := &cobra.Command{Use: "check", Hidden: true}
	c.AddCommand(newCheckFairnessCmd(), newCheckDriftCmd())
	return c
}
