// Package notify posts alerts to a chat webhook (Slack, Mattermost, Teams
// workflows, or anything that takes a JSON body), for failed runs and drift.
package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Message is the JSON body: "text" is what Slack-compatible webhooks show.
type Message struct {
	Text string `json:"text"`
}

// Send posts msg to url, retrying server errors a few times with backoff.
// The URL is a secret: errors never include it.
func Send(ctx context.Context, client *http.Client, url string, msg Message) error {
	body, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	var last error
	for attempt, wait := 0, 500*time.Millisecond; attempt < 4; attempt, wait = attempt+1, wait*2 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(wait):
			}
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
		if err != nil {
			return fmt.Errorf("webhook URL is not valid")
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			last = fmt.Errorf("webhook unreachable")
			continue
		}
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		resp.Body.Close()
		switch {
		case resp.StatusCode < 300:
			return nil
		case resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests:
			last = fmt.Errorf("webhook answered %s", resp.Status)
		default:
			return fmt.Errorf("webhook refused the message: %s", resp.Status)
		}
	}
	return last
}
