package compiler

import "fmt"

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
	if g := s.qualityGates(); len(g.Gates) == 0 && len(g.NoRegression) == 0 {
		errs = append(errs, &Error{Pos: s.pos("monitor", "quality"), Path: "monitor.quality",
			Msg:  "the quality check gates nothing: it sets no gates or no_regression, and models." + q.Model + ".evaluate has no gates",
			Hint: `add gates: {accuracy: ">= 0.85"} or no_regression: ["accuracy"]`})
	}
	return errs
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
