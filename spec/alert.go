package spec

// Alert says where alerts go: the channels, and webhook_secret, the
// shorthand for one Slack-compatible channel that older specs use.
type Alert struct {
	WebhookSecret string                  `json:"webhook_secret,omitempty"`
	Channels      map[string]AlertChannel `json:"channels,omitempty"`
}

// ShorthandChannel is the name the webhook_secret channel goes by (not a
// valid channel name, so it never collides with one).
const ShorthandChannel = "webhook_secret"

// All are the channels, the shorthand included.
func (a Alert) All() map[string]AlertChannel {
	all := make(map[string]AlertChannel, len(a.Channels)+1)
	for name, c := range a.Channels {
		all[name] = c
	}
	if a.WebhookSecret != "" {
		all[ShorthandChannel] = AlertChannel{Slack: &WebhookChannel{URLSecret: a.WebhookSecret}}
	}
	return all
}

// AlertChannel is one destination of alerts; exactly one field is set.
type AlertChannel struct {
	Slack       *WebhookChannel     `json:"slack,omitempty"`
	Webhook     *WebhookChannel     `json:"webhook,omitempty"`
	GitHubIssue *GitHubIssueChannel `json:"github_issue,omitempty"`
}

// WebhookChannel posts to the URL held by the secret URLSecret.
type WebhookChannel struct {
	URLSecret string `json:"url_secret"`
}

// GitHubIssueChannel opens (or comments on) an issue of Repo
// ("owner/name"; "" is the repository the job runs for).
type GitHubIssueChannel struct {
	Repo   string   `json:"repo,omitempty"`
	Labels []string `json:"labels,omitempty"`
}

// Kinds are the channel kinds c sets, in the schema's order.
func (c AlertChannel) Kinds() []string {
	return setKinds([]kind{{"slack", c.Slack != nil}, {"webhook", c.Webhook != nil}, {"github_issue", c.GitHubIssue != nil}})
}

// ExactlyOne explains a channel that does not set exactly one kind, or is
// "" when it does.
func (c AlertChannel) ExactlyOne() string { return exactlyOne("channel kind", c.Kinds()) }

// ChannelHint is what to do about it.
const ChannelHint = "set exactly one of slack, webhook, github_issue"

// Secret is the secret holding the channel's URL ("" for github_issue,
// which uses the job's token).
func (c AlertChannel) Secret() string {
	switch {
	case c.Slack != nil:
		return c.Slack.URLSecret
	case c.Webhook != nil:
		return c.Webhook.URLSecret
	}
	return ""
}
