package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/go-git/go-git/v5/plumbing/transport"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/lineage"
	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/gitops"
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

Every artifact of the chain must carry a signature the trust flags accept
(--allow-unsigned prints the chain anyway). A signature covers the manifest,
which names its blobs by digest: --deep also reads every blob and checks it
against its digest, so a blob overwritten in the store after signing fails.

Exit status: 0 the chain verified; 1 REF has no valid provenance, an
artifact of the chain is unsigned, an input's provenance does not verify, a
blob does not match its digest (--deep), or a store failed; 2 bad input.`,
		Example: `  mlc lineage ghcr.io/acme/ml/credit-model:v3 --key cosign.pub
  mlc lineage oci:.mlc/store:model:v1 --key cosign.pub --json
  mlc lineage --deployed production --key cosign.pub   # what production runs, from its GitOps repository`,
		Args: cobra.RangeArgs(0, 1),
	}
	opts := addRegistryFlags(cmd.Flags())
	pf := addPolicyFlags(cmd.Flags())
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the chain as JSON")
	var allowUnsigned, deep bool
	cmd.Flags().BoolVar(&allowUnsigned, "allow-unsigned", false, "accept artifacts of the chain that carry no signature the trust flags accept")
	cmd.Flags().BoolVar(&deep, "deep", false, "read every blob of every artifact of the chain and check it against its digest")
	var (
		deployed, spec string
		tags           []string
	)
	addTagFlag(cmd, &tags)
	cmd.Flags().StringVar(&deployed, "deployed", "", "trace the model ENV runs, read from the last deployment commit in its GitOps repository")
	cmd.Flags().StringVar(&spec, "spec", ".", "the spec directory naming the environment's GitOps repository (with --deployed)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		policy, err := pf.policy(ctx)
		if err != nil {
			return err
		}
		if (deployed != "") == (len(args) == 1) {
			return badInput(errors.New("name an artifact REF, or --deployed ENV"))
		}
		if deployed != "" {
			ref, err := deployedModel(ctx, cmd.ErrOrStderr(), spec, tags, deployed)
			if err != nil {
				return err
			}
			args = []string{ref}
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
			err = enc.Encode(chain)
		} else {
			err = lineage.WriteText(cmd.OutOrStdout(), chain)
		}
		if err != nil {
			return err
		}
		c := chainCheck{ctx: ctx, open: open, allowUnsigned: allowUnsigned, deep: deep, read: map[string]bool{}}
		return c.node(chain)
	}
	return cmd
}

// chainCheck fails on an artifact of the chain without a valid signature
// (unless allowUnsigned) and, with deep, on a blob that does not match its
// digest; an input two artifacts share (a diamond) is read once.
type chainCheck struct {
	ctx                 context.Context
	open                func(string) (artifact.Store, error)
	allowUnsigned, deep bool
	read                map[string]bool // refs whose blobs were read
}

func (c chainCheck) node(n *lineage.Node) error {
	if !n.Signed && !c.allowUnsigned {
		return failed(fmt.Errorf("%s %s carries no signature the given trust accepts (pass --allow-unsigned to accept it)", n.Role, n.Ref))
	}
	if c.deep && !c.read[n.Ref] {
		c.read[n.Ref] = true
		if err := verifyContent(c.ctx, n.Ref, c.open); err != nil {
			return err
		}
	}
	for _, in := range n.Inputs {
		if err := c.node(in); err != nil {
			return err
		}
	}
	return nil
}

// verifyContent reads every blob of ref (LOCATION@sha256:…).
func verifyContent(ctx context.Context, ref string, open func(string) (artifact.Store, error)) error {
	r, err := artifact.ParseRef(ref)
	if err != nil {
		return badInput(err)
	}
	st, err := open(ref)
	if err != nil {
		return badInput(err)
	}
	digest, err := v1.NewHash(r.Digest)
	if err != nil {
		return badInput(err)
	}
	if err := artifact.VerifyContent(ctx, st, digest); err != nil {
		return failed(fmt.Errorf("%s: %w", ref, err))
	}
	return nil
}

// deployedModel reads the model (else the image) the last deployment
// commit of env names, from the environment's GitOps repository.
func deployedModel(ctx context.Context, log io.Writer, specDir string, tags []string, env string) (string, error) {
	s, err := compiler.LoadWith(specDir, compiler.Options{Tags: tags})
	if err != nil {
		return "", badInput(err)
	}
	e, ok := s.Environments[env]
	if !ok || e.GitOps == nil {
		return "", badInput(fmt.Errorf("environment %q has no gitops repository in %s", env, s.Dir()))
	}
	g := e.GitOps
	var auth transport.AuthMethod
	if g.TokenSecret != "" && !g.Local() {
		auth = gitops.TokenAuth(os.Getenv(g.TokenSecret))
	}
	commit, trailers, err := gitops.LastDeployment(ctx, g.Repo, g.Branch, env, auth)
	if err != nil {
		return "", failed(err)
	}
	ref := append(trailers[gitops.TrailerModel], trailers[gitops.TrailerImage]...)
	if len(ref) == 0 {
		return "", failed(fmt.Errorf("commit %s deploys %s but names no model or image", commit, env))
	}
	fmt.Fprintf(log, "%s runs %s (commit %s of %s)\n", env, strings.Join(trailers[gitops.TrailerImage], ", "), commit[:12], g.Repo)
	return ref[0], nil
}
