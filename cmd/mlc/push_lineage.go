package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/artifact"
	"github.com/mlc-project/mlc/artifact/lineage"
	"github.com/mlc-project/mlc/artifact/sign"
	"github.com/mlc-project/mlc/internal/version"
)

// lineageFlags are the push flags that sign the pushed artifact (--sign)
// and attach a signed provenance attestation (SLSA v1, in-toto, cosign's
// attestation format) naming the datasets and code it was made from. Both
// apply to the digest this push wrote, in the same process: signing a
// tag in a later step would sign whatever the tag names by then.
//
// The inputs are resolved and the key loaded before the push starts (a
// PreRunE), so a wrong password or an unknown input pushes nothing.
type lineageFlags struct {
	cmd      *cobra.Command
	store    *artifact.Options // the command's registry flags (addStoreFlags)
	sign     bool
	models   []string
	datasets []string
	code     []string
	sources  []string
	products string
	params   []string
	signing  *signingFlags

	// Set by prepare.
	prov   lineage.Provenance
	signer *sign.Signer
}

func addLineageFlags(cmd *cobra.Command, store *artifact.Options) *lineageFlags {
	f := &lineageFlags{cmd: cmd, store: store}
	fs := cmd.Flags()
	fs.BoolVar(&f.sign, "sign", false, "sign the pushed manifest by its digest (as mlc sign does), with --key or keylessly")
	fs.StringArrayVar(&f.models, "from-model", nil, "model the artifact was made from (REF; repeatable); attaches a signed provenance")
	fs.StringArrayVar(&f.datasets, "from-dataset", nil, "dataset the artifact was made from (REF; repeatable); attaches a signed provenance")
	fs.StringArrayVar(&f.code, "from-code", nil, "code the artifact was made from (REF; repeatable); attaches a signed provenance")
	fs.StringArrayVar(&f.sources, "from-source", nil, "git commit the artifact was built from, REPO@COMMIT (repeatable); attaches a signed provenance")
	fs.StringVar(&f.products, "subjects-from", "", "sha256sum listing of files the same build made (a release's archives): the provenance names each as a subject too")
	fs.StringArrayVar(&f.params, "param", nil, "training parameter k=v recorded in the provenance (repeatable)")
	f.signing = addSigningFlags(fs, "cosign private key signing the artifact (--sign) and the provenance: a file or env://VAR (default: keyless)")
	next := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if err := f.prepare(cmd.Context()); err != nil {
			return err
		}
		if next != nil {
			return next(cmd, args)
		}
		return nil
	}
	return f
}

// prepare resolves the inputs to digests and loads the signer.
func (f *lineageFlags) prepare(ctx context.Context) error {
	if len(f.models)+len(f.datasets)+len(f.code)+len(f.sources) == 0 {
		for flag, set := range map[string]bool{"--param": len(f.params) > 0, "--subjects-from": f.products != ""} {
			if set {
				return badInput(fmt.Errorf("%s is recorded in the provenance: give --from-model, --from-dataset, --from-code or --from-source too", flag))
			}
		}
		if f.sign {
			var err error
			f.signer, err = f.signing.signer(ctx)
			return err
		}
		return nil
	}
	params, err := parseParams(f.params)
	if err != nil {
		return err
	}
	opts := *f.store
	var inputs []lineage.Input
	for _, in := range []struct {
		role string
		refs []string
	}{{"model", f.models}, {"dataset", f.datasets}, {"code", f.code}} {
		for _, r := range in.refs {
			_, ref, digest, err := resolveArtifact(ctx, r, opts)
			if err != nil {
				return prefixError(err, "--from-"+in.role+" "+r)
			}
			inputs = append(inputs, lineage.Input{Role: in.role, Location: ref.Location(), Digest: digest})
		}
	}
	var sources []lineage.Source
	for _, s := range f.sources {
		src, err := lineage.ParseSource(s)
		if err != nil {
			return badInput(fmt.Errorf("--from-source: %w", err))
		}
		sources = append(sources, src)
	}
	var products []sign.Subject
	if f.products != "" {
		if products, err = readChecksums(f.products); err != nil {
			return badInput(fmt.Errorf("--subjects-from: %w", err))
		}
	}
	if f.signer, err = f.signing.signer(ctx); err != nil {
		return err
	}
	builder, invocation := lineage.BuilderOf(os.Getenv, version.Version)
	f.prov = lineage.Provenance{Inputs: inputs, Sources: sources, Products: products, Params: params, Builder: builder, Invocation: invocation}
	return nil
}

// readChecksums reads a sha256sum listing (HEX, two spaces or " *", NAME;
// one file a line) as subjects named by file.
func readChecksums(path string) ([]sign.Subject, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var subjects []sign.Subject
	for i, line := range strings.Split(strings.TrimSuffix(string(raw), "\n"), "\n") {
		hex, name, ok := strings.Cut(line, " ")
		name = strings.TrimPrefix(strings.TrimPrefix(name, " "), "*")
		if _, err := v1.NewHash("sha256:" + hex); !ok || err != nil || name == "" {
			return nil, fmt.Errorf("%s:%d: want a sha256sum line, HEX  NAME", path, i+1)
		}
		subjects = append(subjects, sign.Subject{Name: name, Digest: map[string]string{"sha256": hex}})
	}
	if len(subjects) == 0 {
		return nil, fmt.Errorf("%s lists no files", path)
	}
	return subjects, nil
}

// attach signs subject (a reference by digest) with --sign and attests it
// with --from-*; a no-op without either.
func (f *lineageFlags) attach(ctx context.Context, subject string) error {
	if f.signer == nil {
		return nil
	}
	defer f.signer.Close()
	st, _, digest, err := resolveArtifact(ctx, subject, *f.store)
	if err != nil {
		return err
	}
	if f.sign {
		out, err := sign.Sign(ctx, st, digest, f.signer, f.signing.tlog())
		if err != nil {
			return fmt.Errorf("signing %s: %w", subject, err)
		}
		fmt.Fprintf(f.cmd.ErrOrStderr(), "signed %s (%s)\n", subject, out.Where)
	}
	if len(f.prov.Inputs)+len(f.prov.Sources) == 0 {
		return nil
	}
	out, err := lineage.Attach(ctx, st, digest, f.signer, f.prov, f.signing.tlog())
	if err != nil {
		return fmt.Errorf("attaching provenance to %s: %w", subject, err)
	}
	verb := "attached signed provenance"
	if out.AlreadySigned {
		verb = "signed provenance already attached"
	}
	fmt.Fprintf(f.cmd.ErrOrStderr(), "%s: %s ← %s\n", verb, subject, describeInputs(f.prov))
	return nil
}

// prefixError puts context in front of err, keeping its exit code.
func prefixError(err error, context string) error {
	var ee *exitError
	if errors.As(err, &ee) {
		return &exitError{code: ee.code, err: fmt.Errorf("%s: %w", context, ee.err)}
	}
	return fmt.Errorf("%s: %w", context, err)
}

// parseParams reads k=v pairs; a repeated key is a mistake, not an override.
func parseParams(kvs []string) (map[string]string, error) {
	params := map[string]string{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, badInput(fmt.Errorf("--param %q: want NAME=VALUE", kv))
		}
		if _, dup := params[k]; dup {
			return nil, badInput(fmt.Errorf("--param %s given twice", k))
		}
		params[k] = v
	}
	return params, nil
}

func describeInputs(p lineage.Provenance) string {
	var parts []string
	for _, in := range p.Inputs {
		parts = append(parts, in.Role+" "+in.Ref())
	}
	for _, src := range p.Sources {
		parts = append(parts, "source "+src.URI())
	}
	sort.Strings(parts)
	if len(p.Products) > 0 {
		parts = append(parts, fmt.Sprintf("with %d more subjects", len(p.Products)))
	}
	return strings.Join(parts, ", ")
}
