package compiler

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// pullRequest is the pull-request trigger, zero when there is none.
func (s *Spec) pullRequest() PullRequest {
	if s.Triggers == nil || s.Triggers.PullRequest == nil {
		return PullRequest{}
	}
	return *s.Triggers.PullRequest
}

// checkPullRequestSecrets: pull-request jobs run code and config the pull
// request controls (its pipeline.cue could point s3.endpoint at its own
// server, its prep script could post the environment), so they get no
// secrets unless triggers.pull_request.secrets says so. A dataset whose
// fetch needs secrets then reads fixtures; a prepare step that needs them
// has no stand-in, so the spec must choose.
func checkPullRequestSecrets(s *Spec) Errors {
	if s.Triggers == nil || s.Triggers.PullRequest == nil || s.Triggers.PullRequest.Secrets {
		return nil
	}
	pr := s.Triggers.PullRequest
	var errs Errors
	if pr.Fixtures != "" && !filepath.IsLocal(pr.Fixtures) {
		errs = append(errs, &Error{Pos: s.pos("triggers", "pull_request", "fixtures"), Path: "triggers.pull_request.fixtures",
			Msg: fmt.Sprintf("%q is not a directory inside the spec directory", pr.Fixtures), Hint: "give a relative path such as fixtures"})
	}
	const hint = "pull-request jobs get no secrets: set triggers.pull_request.fixtures to a directory of sample data, or triggers.pull_request.secrets: true to hand them the secrets (docs/security.md says what that exposes)"
	for _, name := range slices.Sorted(maps.Keys(s.Datasets)) {
		d := s.Datasets[name]
		if len(d.Secrets) > 0 && pr.Fixtures == "" {
			errs = append(errs, &Error{Pos: s.pos("datasets", name, "secrets"), Path: "datasets." + name + ".secrets",
				Msg: fmt.Sprintf("dataset %s needs %s to fetch, and pull requests check it too", name, strings.Join(d.Secrets, ", ")), Hint: hint})
		}
		if d.Prepare != nil && len(d.Prepare.Secrets) > 0 {
			errs = append(errs, &Error{Pos: s.pos("datasets", name, "prepare", "secrets"), Path: "datasets." + name + ".prepare.secrets",
				Msg:  fmt.Sprintf("the prepare step of dataset %s needs %s, and pull requests run it too", name, strings.Join(d.Prepare.Secrets, ", ")),
				Hint: "pull-request jobs get no secrets: make the step work without them, or set triggers.pull_request.secrets: true (docs/security.md says what that exposes)"})
		}
	}
	return errs
}
