package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/notify"
	"github.com/mlc-project/mlc/spec"
)

func newNotifyCmd() *cobra.Command {
	var alert spec.Alert
	var channels string
	a := notify.Alert{}
	c := &cobra.Command{
		Use:   "notify (--webhook-env VAR | --channels JSON) --cause CAUSE --subject NAME --message TEXT",
		Short: "Send an alert through Slack-compatible or JSON webhooks and GitHub issues, one open alert per cause and subject",
		Example: "  SLACK_WEBHOOK=https://hooks.slack.com/... mlc notify --webhook-env SLACK_WEBHOOK --message 'drift detected'\n" +
			`  mlc notify --channels '{"issues":{"github_issue":{}}}' --pipeline credit-risk --cause drift --subject credit --message 'drift in credit'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if channels != "" {
				if err := json.Unmarshal([]byte(channels), &alert.Channels); err != nil {
					return badInput(fmt.Errorf("--channels is not the JSON of alert.channels (%v): pass an object of named channels, as the spec's", err))
				}
			}
			if err := a.Validate(); err != nil {
				return badInput(err)
			}
			chs, err := notify.Channels(alert, os.Getenv)
			if err != nil {
				return badInput(err)
			}
			a.RunURL = notify.RunURL(os.Getenv)
			client := &notify.Client{HTTP: &http.Client{Timeout: 15 * time.Second}, Retry: notify.DefaultRetry}
			if err := notify.Send(cmd.Context(), client, chs, a); err != nil {
				return failed(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "alert %s sent to %d channel(s)\n", a.DedupKey(), len(chs))
			return nil
		},
	}
	f := c.Flags()
	f.StringVar(&alert.WebhookSecret, "webhook-env", "", "name of the environment variable holding a Slack-compatible webhook URL")
	f.StringVar(&channels, "channels", "", "the spec's alert.channels as JSON; secrets are read from the environment by name")
	f.StringVar(&a.Pipeline, "pipeline", "", "pipeline name, part of the deduplication key")
	f.StringVar(&a.Workflow, "workflow", "", "workflow that raised the alert")
	f.StringVar(&a.Cause, "cause", "failure", "why: "+strings.Join(notify.Causes, ", "))
	f.StringVar(&a.Subject, "subject", "", "what the alert is about (a dataset, model or workflow), part of the deduplication key")
	f.StringVar(&a.Text, "message", "", "alert text")
	c.MarkFlagRequired("message")
	return c
}
