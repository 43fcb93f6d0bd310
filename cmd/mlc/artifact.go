package main

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/internal/stepoutput"
)

// addStoreFlags registers the registry connection flags shared by push,
// pull and promote; they default to $MLC_PLAIN_HTTP and $MLC_INSECURE.
func addStoreFlags(fs *pflag.FlagSet) *artifact.Options {
	o := new(artifact.Options)
	*o = artifact.DefaultOptions()
	fs.BoolVar(&o.PlainHTTP, "plain-http", o.PlainHTTP, "talk HTTP, not HTTPS, to the registry (loopback registries only)")
	fs.BoolVar(&o.Insecure, "insecure", o.Insecure, "accept any TLS certificate from the registry")
	fs.IntVar(&o.Jobs, "jobs", 4, "blobs transferred in parallel")
	return o
}

// parseRef turns a REF argument into a reference, or a bad-input error.
func parseRef(s string) (artifact.Ref, error) {
	r, err := artifact.ParseRef(s)
	if err != nil {
		return artifact.Ref{}, badInput(err)
	}
	return r, nil
}

// storeError maps a store failure to an exit code: a missing tag or blob
// is bad input, anything else (registry down, tampered blob) a failure.
func storeError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return badInput(err)
	}
	return failed(err)
}

func newPushCmd() *cobra.Command {
	var metricsFile, cacheDir string
	cmd := &cobra.Command{
		Use:   "push dataset|model|code PATH REF",
		Short: "Push a directory or file as an OCI artifact",
		Long: `Push stores PATH as an OCI 1.1 artifact: one layer per file, many small
files packed into a reproducible tar, models in the CNCF ModelPack format.
Revision, source and creation time come from git, so re-pushing the same
commit gives the same digest and sends no layer the store already holds.

REF is a registry reference (ghcr.io/acme/ml/credit:v3), an OCI image
layout (oci:PATH:TAG), or a bare NAME:TAG in the local store oci:.mlc/store.
The pushed reference by digest is printed and written as "ref" and
"digest" to $MLC_OUTPUT (or $GITHUB_OUTPUT).`,
		Args: cobra.ExactArgs(3),
	}
	opts := addStoreFlags(cmd.Flags())
	cmd.Flags().StringVar(&metricsFile, "metrics", "", "JSON file of metrics stored as dev.mlc.metric.<name> annotations")
	cmd.Flags().StringVar(&cacheDir, "cache-dir", cmp.Or(os.Getenv("MLC_CACHE_DIR"), artifact.DefaultCacheDir), "digest cache directory (\"\" disables it)")
	lf := addLineageFlags(cmd, opts)
	var alsoTags []string
	cmd.Flags().StringArrayVar(&alsoTags, "tag", nil, "also point TAG at the pushed digest, once it is signed (a channel such as beta; repeatable)")
	vf := addVersionFlags(cmd.Flags())
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		kind, err := artifact.ParseKind(args[0])
		if err != nil {
			return badInput(err)
		}
		ref, err := parseRef(args[2])
		if err != nil {
			return err
		}
		if err := vf.check(ref, args[1]); err != nil {
			return err
		}
		alsoTags = append(alsoTags, vf.tags()...)
		po := artifact.PushOptions{Options: *opts, Kind: kind, CacheDir: cacheDir, Annotations: vf.annotations()}
		if metricsFile != "" {
			if po.Metrics, err = artifact.ReadMetrics(metricsFile); err != nil {
				return badInput(err)
			}
		}
		if _, err := os.Stat(args[1]); err != nil {
			return badInput(fmt.Errorf("push: %w", err))
		}
		for _, tag := range alsoTags {
			if _, err := artifact.ParseRef(ref.WithTag(tag).String()); err != nil || tag == "" {
				return badInput(fmt.Errorf("push --tag %q: want letters, digits, '_', '.', '-'", tag))
			}
		}
		res, err := artifact.Push(cmd.Context(), args[1], ref, po)
		if err != nil {
			return storeError(err)
		}
		byDigest := res.Ref.String()
		if err := lf.attach(cmd.Context(), byDigest); err != nil {
			var ee *exitError
			if errors.As(err, &ee) {
				return err // the hook chose the exit code
			}
			return failed(err)
		}
		// Tags go on the digest this push wrote, after signing: promoting
		// the push's tag in a later step would promote whatever it names
		// by then.
		for _, tag := range alsoTags {
			if _, err := artifact.Promote(cmd.Context(), res.Ref, tag, *opts); err != nil {
				return storeError(err)
			}
		}
		if err := writeOutputs("ref", byDigest, "digest", res.Ref.Digest); err != nil {
			return failed(err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "pushed %s %s: %d files in %d layers, %s of layers sent\n",
			kind, ref, res.Files, res.Layers, humanBytes(res.LayerBytes))
		fmt.Fprintln(cmd.OutOrStdout(), byDigest)
		return nil
	}
	return cmd
}

func newPullCmd() *cobra.Command {
	var only string
	cmd := &cobra.Command{
		Use:   "pull REF DIR",
		Short: "Pull an OCI artifact's files into a directory",
		Long: `Pull writes the files of an artifact (mlc, ModelPack, KitOps ModelKit or
oras) into DIR. Every blob is verified against its digest and paths that
would escape DIR are refused; files are staged and moved into DIR only when
all layers verified, so a failed pull changes nothing. With --key (or
--certificate-identity and --certificate-oidc-issuer) the artifact's
signature is verified first and the digest verified is what is pulled.`,
		Args: cobra.ExactArgs(2),
	}
	opts := addStoreFlags(cmd.Flags())
	pf := addPolicyFlags(cmd.Flags())
	cmd.Flags().StringVar(&only, "only", "", "pull only model, dataset, code or docs layers, or one PATH of the artifact")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ref, err := parseRef(args[0])
		if err != nil {
			return err
		}
		if pf.given() {
			if ref, err = verifiedRef(cmd.Context(), args[0], *opts, pf); err != nil {
				return err
			}
		}
		res, err := artifact.Pull(cmd.Context(), ref, args[1], artifact.PullOptions{Options: *opts, Only: only})
		if err != nil {
			return storeError(err)
		}
		what := res.Ref.String()
		if res.Name != "" {
			what = fmt.Sprintf("model %s (%s)", res.Name, res.Ref)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "pulled %s into %s: %d files, %s\n", what, args[1], len(res.Files), humanBytes(res.Bytes))
		return nil
	}
	return cmd
}

func newPromoteCmd() *cobra.Command {
	var (
		tag          string
		withDatasets bool
	)
	cmd := &cobra.Command{
		Use:   "promote REF --to TAG",
		Short: "Point a tag at an artifact by digest (no re-upload)",
		Long: `Promote re-tags the manifest REF names (best by digest) in the same
repository, e.g. staging → production. Only the manifest is written; the
promoted reference by digest is written as "ref" and "digest" to
$MLC_OUTPUT (or $GITHUB_OUTPUT).

With --with-datasets, REF is a model, and the datasets its provenance names
(verified with the trust flags) get the tag too: the drift monitor compares
production data with the dataset tagged like the model production runs.`,
		Args: cobra.ExactArgs(1),
	}
	opts := addStoreFlags(cmd.Flags())
	pf := addPolicyFlags(cmd.Flags())
	cmd.Flags().StringVar(&tag, "to", "", "tag to point at the artifact (required)")
	cmd.Flags().BoolVar(&withDatasets, "with-datasets", false, "also tag the datasets the model's verified provenance names")
	_ = cmd.MarkFlagRequired("to")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ref, err := parseRef(args[0])
		if err != nil {
			return err
		}
		var datasets []string
		if withDatasets {
			policy, err := pf.policy(cmd.Context())
			if err != nil {
				return err
			}
			inputs, err := provenanceInputs(cmd.Context(), args[0], *opts, policy)
			if err != nil {
				return err
			}
			datasets = inputs["dataset"]
		}
		res, err := artifact.Promote(cmd.Context(), ref, tag, *opts)
		if err != nil {
			return storeError(err)
		}
		for _, d := range datasets {
			dref, err := parseRef(d)
			if err != nil {
				return err
			}
			dres, err := artifact.Promote(cmd.Context(), dref, tag, *opts)
			if err != nil {
				return storeError(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s → %s\n", dres.WithTag(tag), dres)
		}
		if err := writeOutputs("ref", res.String(), "digest", res.Digest); err != nil {
			return failed(err)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "%s → %s\n", res.WithTag(tag), res)
		return nil
	}
	return cmd
}

// writeOutputs appends key, value pairs to the step's output file.
func writeOutputs(kv ...string) error {
	pairs := make([]stepoutput.Pair, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		pairs = append(pairs, stepoutput.Pair{Key: kv[i], Value: kv[i+1]})
	}
	return stepoutput.Append(nil, pairs...)
}

// humanBytes formats a byte count with a binary unit.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
