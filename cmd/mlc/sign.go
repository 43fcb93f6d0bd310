package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/sign"
)

func newSignCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sign REF",
		Short: "Sign an artifact with cosign (a key, or keyless with Sigstore)",
		Long: `Sign signs the manifest REF names and stores the signature the way cosign
v2 does (the sha256-<hex>.sig tag next to the artifact), so the stock
"cosign verify" accepts it. REF may name a registry or an OCI layout.

With --key (a cosign private key: a file or env://VAR; its password from
$COSIGN_PASSWORD) the signature stays offline: nothing is sent to a
transparency log unless --tlog-upload is given. Without --key, or with
--keyless, mlc signs keylessly: an ephemeral key certified by Fulcio for the
OIDC identity from --identity-token or the CI environment (GitHub Actions
with "id-token: write"), recorded in Rekor. --new-bundle-format stores a
Sigstore bundle as an OCI 1.1 referrer, as cosign v3 does. Signing again
with the same key writes nothing.`,
		Example: `  mlc sign ghcr.io/acme/ml/credit:v3 --key env://MLC_COSIGN_KEY
  mlc sign oci:.mlc/store:credit:v3 --key cosign.key
  mlc sign ghcr.io/acme/ml/credit:v3 --keyless`,
		Args: cobra.ExactArgs(1),
	}
	opts := addRegistryFlags(cmd.Flags())
	sf := addSigningFlags(cmd.Flags(), "cosign private key to sign with: a file or env://VAR (cosign's --key)")
	cmd.Flags().BoolVar(&sf.keyless, "keyless", false, "sign keylessly with a Fulcio certificate for the ambient or --identity-token OIDC identity")
	var newBundleFormat bool
	cmd.Flags().BoolVar(&newBundleFormat, "new-bundle-format", false, "store a Sigstore bundle as an OCI 1.1 referrer (cosign v3's default) instead of the cosign v2 .sig tag")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		st, ref, digest, err := resolveArtifact(ctx, args[0], *opts)
		if err != nil {
			return err
		}
		signer, err := sf.signer(ctx)
		if err != nil {
			return err
		}
		defer signer.Close()
		signFn := sign.Sign
		if newBundleFormat {
			signFn = sign.SignBundle
		}
		out, err := signFn(ctx, st, digest, signer, sf.tlog())
		if err != nil {
			return storeError(err)
		}
		byDigest := ref.WithDigest(digest).String()
		if out.AlreadySigned {
			fmt.Fprintf(cmd.OutOrStdout(), "%s is already signed with this key (%s)\n", byDigest, out.Where)
			return nil
		}
		fmt.Fprintf(cmd.OutOrStdout(), "signed %s (%s)\n", byDigest, out.Where)
		return nil
	}
	return cmd
}

func newVerifyCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "verify REF",
		Short: "Verify an artifact's cosign signature",
		Long: `Verify checks that the manifest REF names carries a valid signature: the
cosign v2 signature tag (sha256-<hex>.sig) or a Sigstore bundle attached as
an OCI 1.1 referrer (what cosign v3 writes). Signatures made by mlc sign and
by the stock cosign are both accepted.

With --key (a cosign public key: a file or env://VAR) the key is the trust:
no transparency log is needed (pass --insecure-ignore-tlog=false to also
require a Rekor entry). Keyless signatures are checked against
--certificate-identity / --certificate-oidc-issuer and Sigstore's trust root
(through TUF), or the one --trusted-root names.

The reference by the digest verified is written as "ref" and "digest" to
$MLC_OUTPUT (or $GITHUB_OUTPUT), for jobs that then use that digest.

A signature covers the manifest, which names its blobs by digest; --deep
also reads every blob and checks it against its digest (pull always does),
so a blob overwritten in the store after signing fails.

Exit status: 0 verified; 1 no valid signature (unsigned, another key,
tampered manifest, a signature of another digest), a blob that does not
match its digest (--deep), or the store failed; 2 bad input (unknown
reference or tag, unreadable key).`,
		Example: `  mlc verify ghcr.io/acme/ml/credit:v3 --key cosign.pub
  mlc verify oci:.mlc/store:credit:v3 --key env://MLC_COSIGN_PUB`,
		Args: cobra.ExactArgs(1),
	}
	opts := addRegistryFlags(cmd.Flags())
	pf := addPolicyFlags(cmd.Flags())
	var (
		deep   bool
		orElse string
	)
	cmd.Flags().BoolVar(&deep, "deep", false, "also read every blob and check it against its digest")
	cmd.Flags().StringVar(&orElse, "else", "", "verify this reference instead when REF's tag does not exist (a run that did not retrain: its model, else production's)")
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		policy, err := pf.policy(ctx)
		if err != nil {
			return err
		}
		st, ref, digest, err := resolveArtifact(ctx, args[0], *opts)
		if orElse != "" && errors.Is(err, fs.ErrNotExist) {
			// Only a missing tag falls back; a signature that does not
			// verify never does.
			fmt.Fprintf(cmd.ErrOrStderr(), "%s does not exist: verifying %s\n", args[0], orElse)
			st, ref, digest, err = resolveArtifact(ctx, orElse, *opts)
		}
		if err != nil {
			return err
		}
		got, err := sign.Verify(ctx, st, digest, policy)
		if err != nil {
			return verifyError(err)
		}
		if deep {
			if err := artifact.VerifyContent(ctx, st, digest); err != nil {
				return failed(fmt.Errorf("%s: %w", ref.WithDigest(digest), err))
			}
		}
		// The digest verified is what later jobs use: a tag may move.
		if err := writeOutputs("ref", ref.WithDigest(digest).String(), "digest", digest.String()); err != nil {
			return failed(err)
		}
		formats := make([]string, len(got))
		for i, v := range got {
			formats[i] = v.Format
			if v.Signer != "" {
				formats[i] += " by " + v.Signer
			}
		}
		fmt.Fprintf(cmd.OutOrStdout(), "verified %s: %d valid signature(s) (%s)\n",
			ref.WithDigest(digest), len(got), strings.Join(formats, ", "))
		return nil
	}
	return cmd
}

// verifyError maps a verification failure to an exit code: no valid
// signature is a failed check; so is a store failure.
func verifyError(err error) error {
	if errors.Is(err, sign.ErrNotVerified) {
		return failed(err)
	}
	return storeError(err)
}

// addRegistryFlags registers the store flags with cosign's names for the
// same switches as aliases, so cosign command lines carry over.
func addRegistryFlags(fs *pflag.FlagSet) *artifact.Options {
	opts := addStoreFlags(fs)
	fs.BoolVar(&opts.PlainHTTP, "allow-http-registry", opts.PlainHTTP, "same as --plain-http (cosign's name)")
	fs.BoolVar(&opts.Insecure, "allow-insecure-registry", opts.Insecure, "same as --insecure (cosign's name)")
	_ = fs.MarkHidden("jobs") // signatures are a few small blobs
	return opts
}

// resolveArtifact parses REF, opens its store and resolves it to a
// manifest digest.
func resolveArtifact(ctx context.Context, s string, opts artifact.Options) (artifact.Store, artifact.Ref, v1.Hash, error) {
	ref, err := parseRef(s)
	if err != nil {
		return nil, ref, v1.Hash{}, err
	}
	st, err := artifact.Open(ref, opts)
	if err != nil {
		return nil, ref, v1.Hash{}, badInput(err)
	}
	desc, err := st.Resolve(ctx, ref.Identifier())
	if err != nil {
		return nil, ref, v1.Hash{}, storeError(err)
	}
	return st, ref, desc.Digest, nil
}

// signingFlags choose the signing identity, with cosign's flag names.
type signingFlags struct {
	fs                                  *pflag.FlagSet
	key, idToken, fulcioURL, oidcIssuer string
	oidcClientID, rekorURL              string
	keyless, tlogUpload                 bool
}

func addSigningFlags(fs *pflag.FlagSet, keyHelp string) *signingFlags {
	f := &signingFlags{fs: fs}
	fs.StringVar(&f.key, "key", "", keyHelp)
	fs.StringVar(&f.idToken, "identity-token", "", "OIDC identity token (or a file holding one) for keyless signing")
	fs.StringVar(&f.fulcioURL, "fulcio-url", sign.DefaultFulcioURL, "Fulcio certificate authority for keyless signing")
	fs.StringVar(&f.oidcIssuer, "oidc-issuer", sign.DefaultOIDCIssuer, "OIDC issuer of the identity token")
	fs.StringVar(&f.oidcClientID, "oidc-client-id", "sigstore", "OIDC client the identity token was issued to")
	fs.BoolVar(&f.tlogUpload, "tlog-upload", false, "record the signature in the Rekor transparency log (default: only when keyless)")
	fs.StringVar(&f.rekorURL, "rekor-url", sign.DefaultRekorURL, "Rekor transparency log")
	return f
}

// signer loads the key or runs the keyless flow.
func (f *signingFlags) signer(ctx context.Context) (*sign.Signer, error) {
	if f.keyless && f.key != "" {
		return nil, badInput(errors.New("--keyless and --key exclude each other"))
	}
	s, err := sign.NewSigner(ctx, sign.KeyOpts{
		Key:          f.key,
		IDToken:      f.idToken,
		FulcioURL:    f.fulcioURL,
		OIDCIssuer:   f.oidcIssuer,
		OIDCClientID: f.oidcClientID,
	})
	if err != nil {
		if f.key == "" && !errors.Is(err, sign.ErrNoIdentity) {
			return nil, failed(err) // Fulcio or the OIDC provider failed
		}
		return nil, badInput(err) // no identity, or the key could not be read or decrypted
	}
	return s, nil
}

// tlog uploads to Rekor when asked, and by default for keyless signatures,
// whose short-lived certificates are only verifiable with a log entry.
func (f *signingFlags) tlog() sign.TlogOpts {
	upload := f.tlogUpload
	if !f.fs.Changed("tlog-upload") {
		upload = f.key == ""
	}
	return sign.TlogOpts{Upload: upload, RekorURL: f.rekorURL}
}

// policyFlags choose which signatures verify and lineage accept.
type policyFlags struct {
	fs                            *pflag.FlagSet
	key, identity, identityRegexp string
	issuer, issuerRegexp          string
	trustedRoot                   string
	ignoreTlog, ignoreSCT         bool
}

func addPolicyFlags(fs *pflag.FlagSet) *policyFlags {
	f := &policyFlags{fs: fs}
	fs.StringVar(&f.key, "key", "", "cosign public key to verify with: a file or env://VAR (cosign's --key)")
	fs.StringVar(&f.identity, "certificate-identity", "", "keyless: the signer identity (e-mail or workflow URI) to accept")
	fs.StringVar(&f.identityRegexp, "certificate-identity-regexp", "", "keyless: a regular expression for the signer identity")
	fs.StringVar(&f.issuer, "certificate-oidc-issuer", "", "keyless: the OIDC issuer to accept, e.g. https://token.actions.githubusercontent.com")
	fs.StringVar(&f.issuerRegexp, "certificate-oidc-issuer-regexp", "", "keyless: a regular expression for the OIDC issuer")
	fs.BoolVar(&f.ignoreTlog, "insecure-ignore-tlog", false, "accept signatures without a Rekor entry (default: true with --key, false keyless)")
	fs.BoolVar(&f.ignoreSCT, "insecure-ignore-sct", false, "keyless: accept certificates without a certificate transparency proof")
	fs.StringVar(&f.trustedRoot, "trusted-root", "", "Sigstore trusted_root.json to check certificates and log entries against (default: Sigstore's, through TUF)")
	return f
}

// given reports whether any trust was named.
func (f *policyFlags) given() bool { return f.key != "" || f.identity != "" || f.identityRegexp != "" }

// verifiedRef resolves s, verifies its signature under the policy and
// returns it by the digest verified, which the caller reads from then on:
// the tag could be moved between the check and the read.
func verifiedRef(ctx context.Context, s string, opts artifact.Options, pf *policyFlags) (artifact.Ref, error) {
	policy, err := pf.policy(ctx)
	if err != nil {
		return artifact.Ref{}, err
	}
	st, ref, digest, err := resolveArtifact(ctx, s, opts)
	if err != nil {
		return artifact.Ref{}, err
	}
	if _, err := sign.Verify(ctx, st, digest, policy); err != nil {
		return artifact.Ref{}, prefixError(verifyError(err), s)
	}
	return ref.WithDigest(digest), nil
}

// policy loads the public key; a missing or unreadable key is bad input.
func (f *policyFlags) policy(ctx context.Context) (sign.Policy, error) {
	p := sign.Policy{
		Identity: f.identity, IdentityRegexp: f.identityRegexp,
		Issuer: f.issuer, IssuerRegexp: f.issuerRegexp,
		IgnoreTlog: f.ignoreTlog, IgnoreSCT: f.ignoreSCT, TrustedRoot: f.trustedRoot,
	}
	if !f.fs.Changed("insecure-ignore-tlog") {
		p.IgnoreTlog = f.key != ""
	}
	if f.key == "" {
		if (f.identity == "" && f.identityRegexp == "") || (f.issuer == "" && f.issuerRegexp == "") {
			return p, badInput(errors.New("say whom to trust: --key cosign.pub, or --certificate-identity(-regexp) and --certificate-oidc-issuer(-regexp) for keyless signatures"))
		}
		return p, nil
	}
	v, err := sign.LoadVerifier(ctx, f.key)
	if err != nil {
		return p, badInput(err)
	}
	p.Key = v
	return p, nil
}
