package main

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/lineage"
)

func newLineageCmd() *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "lineage REF",
		Short: "Verify and print what an artifact was made from",
		Long: `Lineage verifies the signed provenance attached to REF by "mlc push
--from-dataset/--from-code" (an in-toto statement with a SLSA v1 predicate,
in cosign's attestation format) and prints the chain model ← dataset, code
with digests and training parameters. Inputs that carry a provenance of
their own are followed in turn; each input's signature is checked too.

Exit status: 0 the chain verified; 1 REF has no valid provenance, an
input's provenance does not verify, or a store failed; 2 bad input.`,
		Example: `  mlc lineage ghcr.io/acme/ml/credit-model:v3 --key cosign.pub
  mlc lineage oci:.mlc/store:model:v1 --key cosign.pub --json`,
		Args: cobra.ExactArgs(1),
	}
	opts := addRegistryFlags(cmd.Flags())
	pf := addPolicyFlags(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the chain as JSON")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		policy, err := pf.policy(ctx)
		if err != nil {
			return err
		}
		st, _, digest, err := resolveArtifact(ctx, args[0], *opts)
		if err != nil {
			return err
		}
		open := func(ref string) (artifact.Store, error) {
			r, err := artifact.ParseRef(ref)
			if err != nil {
				return nil, err
			}
			return artifact.Open(r, *opts)
		}
		chain, err := lineage.Trace(ctx, st, digest, policy, open)
		if err != nil {
			return verifyError(err)
		}
		if asJSON {
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			return enc.Encode(chain)
		}
		return lineage.WriteText(cmd.OutOrStdout(), chain)
	}
	return cmd
}
