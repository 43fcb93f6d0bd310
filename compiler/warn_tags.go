package compiler

import (
	"fmt"
	"reflect"
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
	var tagged Errors
	imageStrings(reflect.ValueOf(s).Elem(), nil, func(sel []cue.Selector, img string) {
		if len(sel) == 4 && sel[0].Unquoted() == "environments" && sel[2].Unquoted() == "gitops" {
			return // the name of a kustomization images: entry, which mlc deploy sets by digest
		}
		if img == "" || img == "scratch" || strings.Contains(img, "@sha256:") {
			return
		}
		tagged = append(tagged, &Error{Pos: nearestPos(s.src.user, sel), Path: cue.MakePath(sel...).String(),
			Msg:  fmt.Sprintf("image %q is a tag, which can move: the image that runs may not be the one reviewed", img),
			Hint: fmt.Sprintf("pin it by digest: %s@sha256:<digest> (crane digest %s)", img, img)})
	})
	// In the order of the files, as the user reads them.
	slices.SortStableFunc(tagged, func(a, b *Error) int { return a.Pos.Compare(b.Pos) })
	warns = append(warns, tagged...)
	return warns
}

// imageStrings calls visit with the spec path of every string field of
// the decoded spec named like an image field (imageFields), defaults
// included: the Go values, not the CUE value, whose walk (a Value.Path
// per field) took a tenth of a large spec's compile. Map entries go in
// key order; values of type any (params, adapter fields) name no image.
func imageStrings(v reflect.Value, sel []cue.Selector, visit func(sel []cue.Selector, img string)) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			imageStrings(v.Elem(), sel, visit)
		}
	case reflect.Struct:
		t := v.Type()
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if f.Anonymous && name == "" {
				imageStrings(v.Field(i), sel, visit) // inlined, as the decoder does
				continue
			}
			if !f.IsExported() || name == "" || name == "-" {
				continue
			}
			path := append(sel, cue.Str(name))
			if f.Type.Kind() == reflect.String {
				if imageFields[name] {
					visit(path, v.Field(i).String())
				}
				continue
			}
			imageStrings(v.Field(i), path, visit)
		}
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(a, b reflect.Value) int { return strings.Compare(a.String(), b.String()) })
		for _, k := range keys {
			imageStrings(v.MapIndex(k), append(sel, cue.Str(k.String())), visit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			imageStrings(v.Index(i), append(sel, cue.Index(i)), visit)
		}
	}
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
