// Package bench holds the benchmarks that back mlc's speed targets: compile
// time for large generated pipelines, per target. `make bench-compile` runs
// them; figures go in the closing notes of the issues that set targets.
package bench
