package notify

import (
	"context"
	"encoding/json"
	"net/http"
)

// Slack posts {"text": ...}, what Slack-compatible webhooks (Slack,
// Mattermost, Teams workflows) show. The dedup key is in the text.
type Slack struct {
	ChannelName string
	URL         string // a secret
}

func (s Slack) Name() string { return s.ChannelName + " (slack)" }

func (s Slack) Send(ctx context.Context, c *Client, a Alert) error {
	text := a.Text
	if a.RunURL != "" {
		text += "\n" + a.RunURL
	}
	return postJSON(ctx, c, s.URL, map[string]string{"text": text + "\n(" + a.DedupKey() + ")"})
}

// Webhook posts the whole alert as a JSON object. Deduplicating is the
// receiver's job: dedup_key is the same for every run that raises the
// same alert.
type Webhook struct {
	ChannelName string
	URL         string // a secret
}

func (w Webhook) Name() string { return w.ChannelName + " (webhook)" }

func (w Webhook) Send(ctx context.Context, c *Client, a Alert) error {
	return postJSON(ctx, c, w.URL, map[string]string{
		"pipeline": a.Pipeline, "workflow": a.Workflow, "cause": a.Cause, "subject": a.Subject,
		"text": a.Text, "run_url": a.RunURL, "dedup_key": a.DedupKey(),
	})
}

func postJSON(ctx context.Context, c *Client, url string, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = c.do(ctx, http.MethodPost, url, http.Header{"Content-Type": {"application/json"}}, body)
	return err
}
