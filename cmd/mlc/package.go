package main

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/artifact"
)

func newPackageCmd() *cobra.Command {
	var o artifact.ImageOptions
	var labels, platformContexts []string
	cmd := &cobra.Command{
		Use:   "package APP REF",
		Short: "Build an app image with its model inside, without a Docker daemon",
		Long: `Package builds the container image of APP and pushes it to REF's tag: the
base image's layers by digest (mounted, not copied, when base and REF share
a registry; one image per platform of a multi-platform base), then one layer
of the app's files (--context, minus what its .dockerignore excludes) and
one of the model's (--model-dir), each a reproducible tar. On scratch, each
--platform named gets an image (an index holds several), and
--platform-context gives one platform its own files, such as a binary built
for it. The same files and flags give the same digest on any machine:
entries sorted, times and owners fixed, the creation time that of the git
commit (or SOURCE_DATE_EPOCH), never the clock.

The config carries the base's with --workdir, --env, --cmd, --entrypoint,
--user and --port applied, and labels org.opencontainers.image.* (revision,
source, base name and digest), dev.mlc.app, and the digests of --from-model,
--from-dataset and --from-code, which a signed provenance also records.
With --sign, the pushed digest is signed in the same process.

The image by digest is printed and written as "ref" and "digest" to
$MLC_OUTPUT (or $GITHUB_OUTPUT).`,
		Example: `  mlc package api ghcr.io/acme/ml/app-api:3f2c1d0 --base python:3.12-slim@sha256:... \
    --context service --model-dir .mlc/work/model/scorer --cmd python --cmd app.py \
    --from-model ghcr.io/acme/ml/model-scorer@sha256:... --sign --key env://COSIGN_KEY`,
		Args: cobra.ExactArgs(2),
	}
	opts := addStoreFlags(cmd.Flags())
	fs := cmd.Flags()
	fs.StringVar(&o.Base, "base", artifact.Scratch, "base image (pin it by digest: NAME:TAG@sha256:...), or scratch")
	fs.StringArrayVar(&o.Platforms, "platform", nil, "build only this OS/ARCH[/VARIANT] of a multi-platform base (repeatable)")
	fs.StringVar(&o.Context, "context", ".", "directory of the app's files")
	fs.StringArrayVar(&platformContexts, "platform-context", nil, "OS/ARCH=DIR: the app's files for that platform instead of --context's, such as a binary built for it (repeatable)")
	fs.StringVar(&o.ModelDir, "model-dir", "", "directory of the model's files (a pulled model)")
	fs.StringVar(&o.WorkDir, "workdir", "/app", "where the app's files go, and the working directory")
	fs.StringVar(&o.ModelPath, "model-path", "", "where the model's files go (default WORKDIR/model)")
	fs.StringArrayVar(&o.Entrypoint, "entrypoint", nil, "entrypoint word (repeatable, in order); drops the base's command")
	fs.StringArrayVar(&o.Cmd, "cmd", nil, "command word (repeatable, in order)")
	fs.StringArrayVar(&o.Env, "env", nil, "NAME=value in the image's environment (repeatable)")
	fs.StringVar(&o.User, "user", "", "user the app runs as (default: the base's)")
	fs.StringArrayVar(&o.Ports, "port", nil, "port the app listens on, PORT[/tcp|udp] (repeatable)")
	fs.StringArrayVar(&labels, "label", nil, "NAME=value label (repeatable)")
	fs.StringVar(&o.CacheDir, "cache-dir", cmp.Or(os.Getenv("MLC_CACHE_DIR"), artifact.DefaultCacheDir), "digest cache directory (\"\" disables it)")
	lf := addLineageFlags(cmd, opts)
	vf := addVersionFlags(fs)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ref, err := parseRef(args[1])
		if err != nil {
			return err
		}
		if err := vf.check(ref, cmp.Or(o.Context, ".")); err != nil {
			return err
		}
		o.Options = *opts
		if o.Labels, err = parseLabels(labels, args[0], lf); err != nil {
			return err
		}
		maps.Copy(o.Labels, vf.annotations())
		for _, kv := range o.Env {
			if k, _, ok := strings.Cut(kv, "="); !ok || k == "" {
				return badInput(fmt.Errorf("--env %q: want NAME=value", kv))
			}
		}
		dirs := []string{o.Context, o.ModelDir}
		for _, kv := range platformContexts {
			p, dir, ok := strings.Cut(kv, "=")
			if !ok || p == "" || dir == "" {
				return badInput(fmt.Errorf("--platform-context %q: want OS/ARCH=DIR", kv))
			}
			if o.PlatformContexts == nil {
				o.PlatformContexts = map[string]string{}
			}
			o.PlatformContexts[p] = dir
			dirs = append(dirs, dir)
		}
		for _, dir := range dirs {
			if _, err := os.Stat(cmp.Or(dir, ".")); err != nil {
				return badInput(fmt.Errorf("package: %w", err))
			}
		}
		res, err := artifact.BuildImage(cmd.Context(), ref, o)
		if err != nil {
			return storeError(err)
		}
		byDigest := res.Ref.String()
		if err := lf.attach(cmd.Context(), byDigest); err != nil {
			return prefixError(err, "package")
		}
		// A release's version tag goes on the digest built, once signed.
		for _, tag := range vf.tags() {
			if _, err := artifact.Promote(cmd.Context(), res.Ref, tag, *opts); err != nil {
				return storeError(err)
			}
		}
		if err := writeOutputs("ref", byDigest, "digest", res.Ref.Digest); err != nil {
			return failed(err)
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "packaged %s as %s for %s: %d app and %d model files, %s of layers sent\n",
			args[0], ref, strings.Join(res.Platforms, ", "), res.AppFiles, res.ModelFiles, humanBytes(res.LayerBytes))
		fmt.Fprintln(cmd.OutOrStdout(), byDigest)
		return nil
	}
	return cmd
}

// parseLabels reads NAME=value labels and adds dev.mlc.app and the inputs
// the provenance records (resolved to digests before the build).
func parseLabels(kvs []string, app string, lf *lineageFlags) (map[string]string, error) {
	labels := map[string]string{"dev.mlc.app": app}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, badInput(fmt.Errorf("--label %q: want NAME=value", kv))
		}
		labels[k] = v
	}
	byRole := map[string][]string{}
	for _, in := range lf.prov.Inputs {
		byRole[in.Role] = append(byRole[in.Role], in.Ref())
	}
	for role, refs := range byRole {
		sort.Strings(refs)
		labels["dev.mlc."+role] = strings.Join(refs, ",")
	}
	return labels, nil
}
