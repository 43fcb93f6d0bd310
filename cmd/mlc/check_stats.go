package main

import "github.com/spf13/cobra"

func newCheckFairnessCmd() *cobra.Command { return &cobra.Command{Use: "fairness", Hidden: true} }
func newCheckDriftCmd() *cobra.Command    { return &cobra.Command{Use: "drift", Hidden: true} }
