package main

import (
	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/internal/version"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "mlc",
		Short: "Continuous delivery for machine learning",
		Long: `mlc compiles one pipeline.cue into GitHub Actions, Tekton or Argo Workflows,
runs the data and model gates those pipelines call, and pushes, signs and
verifies datasets, models and code as OCI artifacts.`,
		Version:       version.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.AddCommand(
		// core: spec → workflows
		newCompileCmd(),
		newVetCmd(),
		newGraphCmd(),
		newInitCmd(),
		// git: versions, changes, deployment by commit (gitops/)
		newVersionCmd(),
		newAffectedCmd(),
		newDeployCmd(),
		// data acquisition (adapter/)
		newFetchCmd(),
		// gates (gate/)
		newCheckCmd(),
		// artifacts (artifact/)
		newPushCmd(),
		newPullCmd(),
		newPackageCmd(),
		newSignCmd(),
		newVerifyCmd(),
		newLineageCmd(),
		newPromoteCmd(),
		// local execution and alerts
		newRunCmd(),
		newNotifyCmd(),
	)
	return root
}
