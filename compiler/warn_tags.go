package compiler

import (
	"fmt"
	"slices"
	"strings"

	"cuelang.org/go/cue"

	"github.com/mlc-project/mlc/internal/version"
	"github.com/mlc-project/mlc/ir"
)

// imageFields are the spec fields naming a container image a job runs in
// or an app image is built on.
var imageFields = map[string]bool{"image": true, "smoke_image": true, "git": true, "kubectl": true, "kubectl_shell": true, "buildkit": true, "base": true}

// warnMutableImages: an image named by tag may change between the run
// that was reviewed (or tested in staging) and the next one; by digest it
// cannot. Not an error: most teams start with tags. Defaults count too:
// mlc's own image is a tag where no digest can be known ahead of a
// release, warned about for the engines that run it.
func warnMutableImages(s *Spec) Errors {
	var warns Errors
	if img := s.mlcImage(); !strings.Contains(img, "@sha256:") && slices.ContainsFunc(s.src.engines, func(e ir.Engine) bool { return e.MLCImage }) {
		warns = append(warns, &Error{Pos: s.pos("name"), Path: "mlc.image",
			Msg:  fmt.Sprintf("mlc steps run in %s, a tag, which can move", img),
			Hint: fmt.Sprintf("set mlc.image to %s@sha256:<digest>, the digest its release notes give (crane digest %s)", img, img)})
	}
	s.src.value.Walk(func(v cue.Value) bool {
		sel := v.Path().Selectors()
		for len(sel) > 0 && sel[0].IsDefinition() {
			sel = sel[1:] // the schema's #Pipeline the spec was unified with
		}
		if len(sel) == 0 || sel[len(sel)-1].LabelType() != cue.StringLabel || !imageFields[sel[len(sel)-1].Unquoted()] {
			return true
		}
		if len(sel) == 4 && sel[0].Unquoted() == "environments" && sel[2].Unquoted() == "gitops" {
			return true // the name of a kustomization images: entry, which mlc deploy sets by digest
		}
		img, err := v.String()
		if err != nil || img == "" || img == "scratch" || strings.Contains(img, "@sha256:") {
			return true
		}
		warns = append(warns, &Error{Pos: nearestPos(s.src.user, sel), Path: cue.MakePath(sel...).String(),
			Msg:  fmt.Sprintf("image %q is a tag, which can move: the image that runs may not be the one reviewed", img),
			Hint: fmt.Sprintf("pin it by digest: %s@sha256:<digest> (crane digest %s)", img, img)})
		return true
	}, nil)
	return warns
}

// mlcImage is the image Kubernetes steps run mlc in: the spec's, else
// this release's image, by digest when this binary was released with one
// and the spec pins no other version.
func (s *Spec) mlcImage() string {
	if s.MLC != nil && s.MLC.Image != "" {
		return s.MLC.Image
	}
	img := defaultMLCImage + ":" + s.mlcVersion()
	if version.ImageDigest != "" && s.mlcVersion() == version.Version {
		img += "@" + version.ImageDigest
	}
	return img
}

// mlcVersion is the mlc version the jobs run: the spec's pin, else this one.
func (s *Spec) mlcVersion() string {
	if s.MLC != nil && s.MLC.Version != "" {
		return s.MLC.Version
	}
	return version.Version
}
