package main

import "github.com/spf13/cobra"

func newPushCmd() *cobra.Command    { return &cobra.Command{Use: "push", Hidden: true} }
func newPullCmd() *cobra.Command    { return &cobra.Command{Use: "pull", Hidden: true} }
func newSignCmd() *cobra.Command    { return &cobra.Command{Use: "sign", Hidden: true} }
func newVerifyCmd() *cobra.Command  { return &cobra.Command{Use: "verify", Hidden: true} }
func newLineageCmd() *cobra.Command { return &cobra.Command{Use: "lineage", Hidden: true} }
func newPromoteCmd() *cobra.Command { return &cobra.Command{Use: "promote", Hidden: true} }
