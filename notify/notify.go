// Package notify sends alerts (failed runs, drift, model quality below its
// gate) through the channels a spec names: a Slack-compatible webhook, a
// generic JSON webhook, a GitHub issue. Every alert carries a
// deduplication key, so that one open alert stands per pipeline, cause and
// subject rather than one per run.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// Causes an alert can have.
var Causes = []string{"drift", "failure", "quality"}

// Alert is one report.
type Alert struct {
	Pipeline string // spec name
	Workflow string // compiled workflow, e.g. "credit-risk-monitor"
	Cause    string // one of Causes
	Subject  string // what it is about: a dataset, a model, a workflow
	Text     string // the message people read
	RunURL   string // the run that raised it ("" when the engine has no URL)
}

// DedupKey identifies the alert across runs: the same pipeline, cause and
// subject are the same alert.
func (a Alert) DedupKey() string {
	return "mlc-alert/" + a.Pipeline + "/" + a.Cause + "/" + a.Subject
}

// Validate explains an alert mlc cannot send, or is nil.
func (a Alert) Validate() error {
	if !slices.Contains(Causes, a.Cause) {
		return fmt.Errorf("cause %q is not one of %s", a.Cause, strings.Join(Causes, ", "))
	}
	if strings.TrimSpace(a.Text) == "" {
		return errors.New("the alert has no message: pass --message")
	}
	return nil
}

// Channel is one destination of alerts.
type Channel interface {
	// Name is the channel's name in the spec, for errors and logs.
	Name() string
	Send(ctx context.Context, c *Client, a Alert) error
}

// Send delivers a to every channel, each independently: a channel that
// fails does not keep the alert from the others. The error names every
// channel that failed.
func Send(ctx context.Context, c *Client, channels []Channel, a Alert) error {
	var errs []error
	for _, ch := range channels {
		if err := ch.Send(ctx, c, a); err != nil {
			errs = append(errs, fmt.Errorf("channel %s: %w", ch.Name(), err))
		}
	}
	return errors.Join(errs...)
}

// Client sends the requests of every channel, with one retry policy.
type Client struct {
	HTTP  *http.Client
	Retry Retry
}
