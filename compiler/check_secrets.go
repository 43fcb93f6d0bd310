package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// checkSecrets: every secret a step uses is declared in the top-level
// secrets list, so a typo is caught here rather than as an empty variable
// at run time. The signing secrets are implied by signing.
func checkSecrets(s *Spec) Errors {
	declared := append([]string{}, s.Secrets...)
	if !s.Signing.Keyless {
		declared = append(declared, s.Signing.KeySecret, cosignPassword)
	}
	var errs Errors
	use := func(names []string, path ...string) {
		for _, n := range names {
			if !slices.Contains(declared, n) {
				errs = append(errs, &Error{Pos: s.pos(path...), Path: strings.Join(path, "."),
					Msg:  fmt.Sprintf("secret %s is not declared", n),
					Hint: fmt.Sprintf("add %q to the top-level secrets list (names only; the values live in your CI system)", n)})
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Datasets)) {
		d := s.Datasets[name]
		use(d.Secrets, "datasets", name, "secrets")
		if d.Prepare != nil {
			use(d.Prepare.Secrets, "datasets", name, "prepare", "secrets")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Models)) {
		use(s.Models[name].Train.Secrets, "models", name, "train", "secrets")
	}
	for _, name := range slices.Sorted(maps.Keys(s.Environments)) {
		if d := s.Environments[name].Deploy; d != nil {
			use(d.Secrets, "environments", name, "deploy", "secrets")
		}
		if g := s.Environments[name].GitOps; g != nil && g.TokenSecret != "" {
			use([]string{g.TokenSecret}, "environments", name, "gitops", "token_secret")
		}
	}
	for _, name := range slices.Sorted(maps.Keys(s.Steps)) {
		use(s.Steps[name].Secrets, "steps", name, "secrets")
	}
	if s.Monitor != nil {
		use(s.Monitor.Secrets, "monitor", "secrets")
	}
	if a := s.Alert; a != nil {
		if a.WebhookSecret != "" {
			use([]string{a.WebhookSecret}, "alert", "webhook_secret")
		}
		for _, name := range slices.Sorted(maps.Keys(a.Channels)) {
			if c := a.Channels[name]; c.Secret() != "" {
				use([]string{c.Secret()}, "alert", "channels", name, c.Kinds()[0], "url_secret")
			}
		}
	}
	return errs
}
