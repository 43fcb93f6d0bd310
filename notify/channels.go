package notify

import (
	"cmp"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"sort"

	"github.com/mlc-project/mlc/spec"
)

// repoName is owner/name, as the schema's github_issue.repo.
var repoName = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// Channels builds the channels of a, sorted by name, reading secrets from
// getenv by name: the webhook URLs, the token (GITHUB_TOKEN or GH_TOKEN),
// the API (GITHUB_API_URL) and the default repository (GITHUB_REPOSITORY).
// Errors say which channel and which variable to set; they never hold a
// value.
func Channels(a spec.Alert, getenv func(string) string) ([]Channel, error) {
	all := a.All()
	if len(all) == 0 {
		return nil, errors.New("no channel: pass --webhook-env or --channels")
	}
	names := make([]string, 0, len(all))
	for name := range all {
		names = append(names, name)
	}
	sort.Strings(names)
	var out []Channel
	var errs []error
	for _, name := range names {
		ch, err := channel(name, all[name], getenv)
		if err != nil {
			errs = append(errs, fmt.Errorf("channel %s: %w", name, err))
			continue
		}
		out = append(out, ch)
	}
	return out, errors.Join(errs...)
}

func channel(name string, c spec.AlertChannel, getenv func(string) string) (Channel, error) {
	if msg := c.ExactlyOne(); msg != "" {
		return nil, fmt.Errorf("%s: %s", msg, spec.ChannelHint)
	}
	if gh := c.GitHubIssue; gh != nil {
		return githubIssue(name, gh, getenv)
	}
	u := getenv(c.Secret())
	if u == "" {
		return nil, fmt.Errorf("environment variable %s is empty: set it to the webhook URL (a secret)", c.Secret())
	}
	if p, err := url.Parse(u); err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
		return nil, fmt.Errorf("environment variable %s does not hold an http(s) URL", c.Secret())
	}
	if c.Slack != nil {
		return Slack{ChannelName: name, URL: u}, nil
	}
	return Webhook{ChannelName: name, URL: u}, nil
}

func githubIssue(name string, c *spec.GitHubIssueChannel, getenv func(string) string) (Channel, error) {
	g := GitHubIssue{ChannelName: name, Repo: c.Repo, Labels: c.Labels,
		Token: cmp.Or(getenv("GITHUB_TOKEN"), getenv("GH_TOKEN")), API: cmp.Or(getenv("GITHUB_API_URL"), "https://api.github.com")}
	if g.Repo == "" {
		g.Repo = getenv("GITHUB_REPOSITORY")
	}
	switch {
	case g.Repo == "":
		return nil, errors.New("no repository: set repo (owner/name) on the channel, or GITHUB_REPOSITORY")
	case !repoName.MatchString(g.Repo):
		return nil, fmt.Errorf("repository %q is not owner/name", g.Repo)
	case g.Token == "":
		return nil, errors.New("no token: set GITHUB_TOKEN (or GH_TOKEN) to a token that may write issues")
	}
	return g, nil
}

// RunURL is the URL of the GitHub Actions run the alert comes from, or ""
// on other engines.
func RunURL(getenv func(string) string) string {
	server, repo, id := getenv("GITHUB_SERVER_URL"), getenv("GITHUB_REPOSITORY"), getenv("GITHUB_RUN_ID")
	if server == "" || repo == "" || id == "" {
		return ""
	}
	return server + "/" + repo + "/actions/runs/" + id
}
