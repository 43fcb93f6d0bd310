package main

import (
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/go-git/go-git/v5/plumbing/object"
	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/artifact/sign"
	"github.com/mlc-project/mlc/compiler"
	"github.com/mlc-project/mlc/gitops"
)

func newDeployCmd() *cobra.Command {
	var (
		image, model, run, author string
		datasets, code, tags      []string
	)
	cmd := &cobra.Command{
		Use:   "deploy ENV [dir] --image REF@sha256:…",
		Short: "Deploy by commit: write an image digest into an environment's GitOps repository",
		Long: `deploy verifies the image (and the model, datasets and code it is made of)
against the trust flags, then writes the image's digest into the manifest the
spec's environments.ENV.gitops names (a kustomization images: entry, or a
YAML field), commits it with trailers naming the image, its signature, the
model, datasets, code and the CI run, and pushes. Argo CD or Flux then sync
the environment. The clone is in memory: a failure leaves nothing behind.

Continuous deployment pushes to the environment's branch. With approval (the
environment's approval: true) the commit goes to a branch of its own,
printed, and the merge of that branch is the approval.

The token that pushes is read from the variable gitops.token_secret names.
Exit status: 0 deployed (or already deployed); 1 an artifact's signature
did not verify, a push was rejected twice, or a store failed; 2 bad input
(a tag instead of a digest, a manifest without the field, no credentials).`,
		Example: `  mlc deploy staging --image ghcr.io/acme/ml/api@sha256:… --model ghcr.io/acme/ml/scorer@sha256:… --key cosign.pub`,
		Args:    cobra.RangeArgs(1, 2),
	}
	opts := addRegistryFlags(cmd.Flags())
	pf := addPolicyFlags(cmd.Flags())
	cmd.Flags().StringVar(&image, "image", "", "the app image, by digest (required)")
	cmd.Flags().StringVar(&model, "model", "", "the model the image serves, by digest")
	cmd.Flags().StringArrayVar(&datasets, "dataset", nil, "a dataset the model was trained on (repeatable; default: those the model's provenance names)")
	cmd.Flags().StringArrayVar(&code, "code", nil, "the training code (repeatable; default: what the model's provenance names)")
	cmd.Flags().StringVar(&run, "run", githubRunURL(), "URL of the run that deploys (default: the GitHub Actions run)")
	cmd.Flags().StringVar(&author, "author", "mlc <mlc@localhost>", "commit author, NAME <EMAIL>")
	addTagFlag(cmd, &tags)
	cmd.MarkFlagRequired("image")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		env := args[0]
		s, err := compiler.LoadWith(specDir(args[1:]), compiler.Options{Tags: tags})
		if err != nil {
			return badInput(err)
		}
		e, ok := s.Environments[env]
		if !ok || e.GitOps == nil {
			return badInput(fmt.Errorf("environment %q has no gitops repository in %s: add environments.%s.gitops", env, s.Dir(), env))
		}
		policy, err := pf.policy(ctx)
		if err != nil {
			return err
		}
		// verified returns ref by the digest whose signature passed, and
		// that signature's digest.
		verified := func(ref string) (string, string, error) {
			st, r, digest, err := resolveArtifact(ctx, ref, *opts)
			if err != nil {
				return "", "", err
			}
			sigs, err := sign.Verify(ctx, st, digest, policy)
			if err != nil {
				return "", "", prefixError(verifyError(err), ref)
			}
			return r.WithDigest(digest).String(), sigs[0].Digest, nil
		}
		c := gitops.Change{Environment: env, Run: run, Approval: e.Approval}
		if c.Image, c.Signature, err = verified(image); err != nil {
			return err
		}
		if model != "" {
			if c.Model, _, err = verified(model); err != nil {
				return err
			}
			// A run that did not retrain names no datasets or code: the
			// model's provenance does.
			if len(datasets)+len(code) == 0 {
				inputs, err := provenanceInputs(ctx, c.Model, *opts, policy)
				if err != nil {
					return err
				}
				datasets, code = inputs["dataset"], inputs["code"]
			}
		}
		for _, list := range []struct {
			in  []string
			out *[]string
		}{{datasets, &c.Datasets}, {code, &c.Code}} {
			for _, ref := range list.in {
				byDigest, _, err := verified(ref)
				if err != nil {
					return err
				}
				*list.out = append(*list.out, byDigest)
			}
		}
		if c.Author, err = parseAuthor(author); err != nil {
			return badInput(err)
		}
		g := e.GitOps
		target := gitops.Target{Repo: g.Repo, Branch: g.Branch, File: g.File, Image: g.Image, Field: g.Field}
		if g.TokenSecret != "" && !g.Local() {
			target.Auth = gitops.TokenAuth(os.Getenv(g.TokenSecret))
		}
		d, err := gitops.Deploy(ctx, target, c)
		switch {
		case errors.Is(err, gitops.ErrRejected):
			return failed(err)
		case err != nil:
			return badInput(err)
		}
		if err := writeOutputs("commit", d.Commit, "branch", d.Branch); err != nil {
			return failed(err)
		}
		switch {
		case d.Unchanged:
			fmt.Fprintf(cmd.OutOrStdout(), "%s already runs %s (%s at %s)\n", env, c.Image, g.File, d.Commit[:12])
		case c.Approval:
			fmt.Fprintf(cmd.OutOrStdout(), "pushed %s to branch %s of %s: merge it into %s to deploy (the merge is the approval)\n", d.Commit[:12], d.Branch, g.Repo, g.Branch)
		default:
			fmt.Fprintf(cmd.OutOrStdout(), "deployed %s to %s: commit %s on %s of %s\n", c.Image, env, d.Commit[:12], d.Branch, g.Repo)
		}
		return nil
	}
	return cmd
}

// githubRunURL is the URL of the GitHub Actions run mlc runs in, or "".
func githubRunURL() string {
	server, repo, id := os.Getenv("GITHUB_SERVER_URL"), os.Getenv("GITHUB_REPOSITORY"), os.Getenv("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return server + "/" + repo + "/actions/runs/" + id
}

// parseAuthor reads "NAME <EMAIL>".
func parseAuthor(s string) (object.Signature, error) {
	var sig object.Signature
	sig.Decode([]byte(s + " 0 +0000"))
	if sig.Name == "" || sig.Email == "" {
		return sig, fmt.Errorf("--author %q: want NAME <EMAIL>", s)
	}
	sig.When = time.Now()
	return sig, nil
}
