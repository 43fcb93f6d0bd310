package main

import "github.com/spf13/cobra"

func newSignCmd() *cobra.Command    { return &cobra.Command{Use: "sign", Hidden: true} }
func newVerifyCmd() *cobra.Command  { return &cobra.Command{Use: "verify", Hidden: true} }
func newLineageCmd() *cobra.Command { return &cobra.Command{Use: "lineage", Hidden: true} }
