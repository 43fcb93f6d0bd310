package compiler

import (
	"github.com/mlc-project/mlc/spec"
	"maps"
	"slices"
)

// checkAlert: an alert names at least one channel, and every channel sets
// exactly one kind.
func checkAlert(s *Spec) Errors {
	a := s.Alert
	if a == nil {
		return nil
	}
	if a.WebhookSecret == "" && len(a.Channels) == 0 {
		return Errors{{Pos: s.pos("alert"), Path: "alert", Msg: "alert names no channel",
			Hint: "set alert.channels (or alert.webhook_secret), or remove alert"}}
	}
	var errs Errors
	for _, name := range slices.Sorted(maps.Keys(a.Channels)) {
		if msg := a.Channels[name].ExactlyOne(); msg != "" {
			errs = append(errs, &Error{Pos: s.pos("alert", "channels", name), Path: "alert.channels." + name,
				Msg: msg, Hint: spec.ChannelHint})
		}
	}
	return errs
}
