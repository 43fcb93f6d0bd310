package main

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/adapter"
	"github.com/mlc-project/mlc/compiler"
)

func newFetchCmd() *cobra.Command {
	var specDir, out, fixtures string
	var tags []string
	var offline bool
	var parallel int
	cmd := &cobra.Command{
		Use:   "fetch DATASET --out DIR",
		Short: "Download a dataset's raw files through its source adapter",
		Long: `Fetch reads datasets.DATASET.source from the spec (or monitor.drift.current
for the monitor's production data, monitor.quality.data for its labelled
production data) and downloads its files into DIR with
the adapter it names: s3, gcs, http, git, oci or local.

Files are written to a staging directory and DIR appears only when every
file arrived, with .mlc-fetch.json listing each file's path, size and
sha256. A DIR from an earlier fetch is replaced; any other non-empty DIR
is refused. The output directory is written as "path" to $MLC_OUTPUT (or
$GITHUB_OUTPUT).

With --offline, s3, gcs and http sources are read from --fixtures
DIR/DATASET/ instead (see docs/adapters.md), so demos need no network.
$MLC_OFFLINE=true and $MLC_FIXTURES=DIR set the same for every fetch a
local run starts.`,
		Example: `  mlc fetch credit --spec . --out .mlc/work/raw/credit
  mlc fetch credit --out /tmp/credit --offline --fixtures testdata/fixtures
  mlc fetch monitor.drift.current --out .mlc/work/monitor/raw`,
		Args: cobra.ExactArgs(1),
	}
	cmd.Flags().StringVar(&specDir, "spec", ".", "directory holding pipeline.cue")
	addSpecTagFlag(cmd, &tags)
	cmd.Flags().StringVar(&out, "out", "", "directory to write the files to (required)")
	offlineEnv, _ := strconv.ParseBool(os.Getenv("MLC_OFFLINE"))
	cmd.Flags().BoolVar(&offline, "offline", offlineEnv, "read s3, gcs and http sources from --fixtures instead of the network ($MLC_OFFLINE)")
	cmd.Flags().StringVar(&fixtures, "fixtures", os.Getenv("MLC_FIXTURES"), "with --offline: directory holding one sub-directory of files per dataset ($MLC_FIXTURES)")
	cmd.Flags().IntVar(&parallel, "jobs", 8, "objects downloaded in parallel (s3, gcs)")
	cmd.MarkFlagRequired("out")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		name := args[0]
		spec, err := compiler.LoadWith(specDir, compiler.Options{Tags: tags})
		if err != nil {
			return badInput(err)
		}
		src, err := spec.FetchSource(name)
		if err != nil {
			return badInput(err)
		}
		f, err := adapter.New(src, adapter.Options{
			Dataset: name, SpecDir: spec.Dir(), Offline: offline, Fixtures: fixtures, Parallel: parallel,
		})
		if err != nil {
			return badInput(err)
		}
		// On Ctrl-C or SIGTERM the fetch stops and removes its staging
		// directory instead of dying with it half full.
		ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
		defer stop()
		m, err := adapter.FetchInto(ctx, f, out)
		var outErr *adapter.OutputError
		switch {
		case errors.As(err, &outErr):
			return badInput(err)
		case err != nil:
			return failed(fmt.Errorf("fetch %s: %w", name, err))
		}
		var total int64
		for _, file := range m.Files {
			total += file.Size
		}
		fmt.Fprintf(cmd.OutOrStdout(), "fetched %s from %s into %s: %d files, %s\n",
			name, m.Source, out, len(m.Files), humanBytes(total))
		return writeOutputs("path", out)
	}
	return cmd
}
