package compiler

import (
	"cmp"
	"fmt"
)

// checkMonitor: a monitor checks something, and its quality check has a
// model in production to score and something to gate it on.
func checkMonitor(s *Spec) Errors {
	m := s.Monitor
	if m == nil {
		return nil
	}
	var errs Errors
	if m.Drift == nil && m.Quality == nil {
		errs = append(errs, &Error{Pos: s.pos("monitor"), Path: "monitor", Msg: "the monitor checks nothing",
			Hint: "add drift: {reference: DATASET, current: SOURCE}, quality: {model: MODEL, data: SOURCE, run: ...}, or both"})
	}
	q := m.Quality
	if q == nil {
		return errs
	}
	if _, ok := s.Models[q.Model]; !ok {
		return errs // checkReferences reports it
	}
	if _, ok := s.finalEnvironment(q.Model); !ok {
		errs = append(errs, &Error{Pos: s.pos("monitor", "quality", "model"), Path: "monitor.quality.model",
			Msg:  fmt.Sprintf("the quality check scores the model in production, but no environment deploys model %s", q.Model),
			Hint: "add an environment whose app packages " + q.Model})
	}
	switch d, ok := s.Datasets[q.Prepare]; {
	case ok && d.Prepare == nil:
		errs = append(errs, &Error{Pos: s.pos("monitor", "quality", "prepare"), Path: "monitor.quality.prepare",
			Msg:  "dataset " + q.Prepare + " has no prepare script for the labelled data to go through",
			Hint: "name a dataset with a prepare block, or remove quality.prepare"})
	case ok && d.Prepare.Image != s.qualityImage():
		errs = append(errs, &Error{Pos: s.pos("monitor", "quality", "prepare"), Path: "monitor.quality.prepare",
			Msg:  fmt.Sprintf("dataset %s prepares in %s, but the quality check scores in %s, and one job runs both", q.Prepare, d.Prepare.Image, s.qualityImage()),
			Hint: "set monitor.quality.image to an image both scripts run in, and datasets." + q.Prepare + ".prepare.image to it too"})
	}
	if g := s.qualityGates(); len(g.Gates) == 0 && len(g.NoRegression) == 0 {
		errs = append(errs, &Error{Pos: s.pos("monitor", "quality"), Path: "monitor.quality",
			Msg:  "the quality check gates nothing: it sets no gates or no_regression, and models." + q.Model + ".evaluate has no gates",
			Hint: `add gates: {accuracy: ">= 0.85"} or no_regression: ["accuracy"]`})
	}
	return errs
}

// qualityImage is what the quality check scores in: its own image, else
// its model's evaluate image, else its training image.
func (s *Spec) qualityImage() string {
	m := s.Models[s.Monitor.Quality.Model]
	return cmp.Or(s.Monitor.Quality.Image, m.Evaluate.Image, m.Train.Image)
}

// qualityGates are the quality check's gates, its thresholds defaulting
// to its model's evaluate gates.
func (s *Spec) qualityGates() MetricGates {
	g := s.Monitor.Quality.MetricGates
	if len(g.Gates) == 0 {
		g.Gates = s.Models[s.Monitor.Quality.Model].Evaluate.Gates
	}
	return g
}
