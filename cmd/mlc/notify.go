package main

import (
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/mlc-project/mlc/notify"
)

func newNotifyCmd() *cobra.Command {
	var webhookEnv, message string
	c := &cobra.Command{
		Use:     "notify --webhook-env VAR --message TEXT",
		Short:   "Post an alert to a chat webhook whose URL is in an environment variable",
		Example: "  SLACK_WEBHOOK=https://hooks.slack.com/... mlc notify --webhook-env SLACK_WEBHOOK --message 'drift detected'",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			url := os.Getenv(webhookEnv)
			if url == "" {
				return badInput(fmt.Errorf("environment variable %s is empty: set it to the webhook URL (a secret)", webhookEnv))
			}
			client := &http.Client{Timeout: 15 * time.Second}
			if err := notify.Send(cmd.Context(), client, url, notify.Message{Text: message}); err != nil {
				return failed(err)
			}
			fmt.Fprintln(cmd.OutOrStdout(), "alert sent")
			return nil
		},
	}
	c.Flags().StringVar(&webhookEnv, "webhook-env", "", "name of the environment variable holding the webhook URL")
	c.Flags().StringVar(&message, "message", "", "alert text")
	c.MarkFlagRequired("webhook-env")
	c.MarkFlagRequired("message")
	return c
}
