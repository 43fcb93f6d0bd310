package notify

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// AlertLabel marks the issues mlc opens: open ones are the open alerts.
const AlertLabel = "mlc-alert"

// GitHubIssue opens an issue for an alert, or comments on the open issue
// of the same alert (its body carries the dedup key): one open issue per
// pipeline, cause and subject. Closing the issue ends the alert; the next
// one opens a new issue.
type GitHubIssue struct {
	ChannelName string
	API         string // e.g. https://api.github.com
	Repo        string // owner/name
	Token       string // a secret
	Labels      []string
}

func (g GitHubIssue) Name() string { return g.ChannelName + " (github_issue)" }

type issue struct {
	Number int    `json:"number"`
	State  string `json:"state"`
	Body   string `json:"body"`
}

func (g GitHubIssue) Send(ctx context.Context, c *Client, a Alert) error {
	marker := "<!-- " + a.DedupKey() + " -->"
	open, err := g.openIssue(ctx, c, marker)
	if err != nil {
		return fmt.Errorf("listing open %s issues: %w", AlertLabel, err)
	}
	body := a.Text
	if a.RunURL != "" {
		body += "\n\nRun: " + a.RunURL
	}
	if open != 0 {
		_, err = g.call(ctx, c, http.MethodPost, fmt.Sprintf("/issues/%d/comments", open), map[string]any{"body": body})
		if err != nil {
			return fmt.Errorf("commenting on issue #%d: %w", open, err)
		}
		return nil
	}
	labels := append([]string{AlertLabel}, slices.DeleteFunc(slices.Clone(g.Labels), func(l string) bool { return l == AlertLabel })...)
	_, err = g.call(ctx, c, http.MethodPost, "/issues", map[string]any{
		"title":  fmt.Sprintf("[mlc] %s: %s in %s", a.Pipeline, a.Cause, a.Subject),
		"body":   body + "\n\nDeduplication key: `" + a.DedupKey() + "`; later alerts with this key comment here while the issue is open.\n" + marker,
		"labels": labels,
	})
	if err != nil {
		return fmt.Errorf("opening an issue: %w", err)
	}
	return nil
}

// openIssue is the number of the open alert issue whose body carries
// marker, or 0. It reads the newest 100 open alert issues.
func (g GitHubIssue) openIssue(ctx context.Context, c *Client, marker string) (int, error) {
	data, err := g.call(ctx, c, http.MethodGet, "/issues?state=open&labels="+AlertLabel+"&per_page=100", nil)
	if err != nil {
		return 0, err
	}
	var issues []issue
	if err := json.Unmarshal(data, &issues); err != nil {
		return 0, fmt.Errorf("the answer is not a list of issues")
	}
	for _, is := range issues {
		if is.State == "open" && strings.Contains(is.Body, marker) {
			return is.Number, nil
		}
	}
	return 0, nil
}

// call sends a request to the repository's API path.
func (g GitHubIssue) call(ctx context.Context, c *Client, method, path string, v any) ([]byte, error) {
	owner, name, _ := strings.Cut(g.Repo, "/")
	u := strings.TrimSuffix(g.API, "/") + "/repos/" + url.PathEscape(owner) + "/" + url.PathEscape(name) + path
	header := http.Header{
		"Accept":               {"application/vnd.github+json"},
		"Authorization":        {"Bearer " + g.Token},
		"X-Github-Api-Version": {"2022-11-28"},
	}
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			return nil, err
		}
		header.Set("Content-Type", "application/json")
	}
	return c.do(ctx, method, u, header, body)
}
