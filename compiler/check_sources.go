package compiler

import (
	"fmt"
	"strings"
)

// checkSources: every data source sets exactly one adapter.
func checkSources(s *Spec) Errors {
	var errs Errors
	for _, name := range sortedKeys(s.Datasets) {
		if e := checkSource(s, s.Datasets[name].Source, "datasets", name, "source"); e != nil {
			errs = append(errs, e)
		}
	}
	if s.Monitor != nil {
		if e := checkSource(s, s.Monitor.Drift.Current, "monitor", "drift", "current"); e != nil {
			errs = append(errs, e)
		}
	}
	return errs
}

func checkSource(s *Spec, src Source, path ...string) *Error {
	var set []string
	for name, isSet := range map[string]bool{
		"s3": src.S3 != nil, "gcs": src.GCS != nil, "http": src.HTTP != nil,
		"git": src.Git != nil, "oci": src.OCI != nil, "local": src.Local != nil,
	} {
		if isSet {
			set = append(set, name)
		}
	}
	if len(set) == 1 {
		return nil
	}
	msg := "no source adapter set"
	if len(set) > 1 {
		msg = fmt.Sprintf("%d source adapters set (%s)", len(set), strings.Join(sortedStrings(set), ", "))
	}
	return &Error{Pos: s.pos(path...), Path: strings.Join(path, "."), Msg: msg,
		Hint: "set exactly one of s3, gcs, http, git, oci, local"}
}
