package main

import "github.com/spf13/cobra"

func newCompileCmd() *cobra.Command { return &cobra.Command{Use: "compile", Hidden: true} }
func newVetCmd() *cobra.Command     { return &cobra.Command{Use: "vet", Hidden: true} }
func newGraphCmd() *cobra.Command   { return &cobra.Command{Use: "graph", Hidden: true} }
func newInitCmd() *cobra.Command    { return &cobra.Command{Use: "init", Hidden: true} }
