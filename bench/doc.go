// Package bench holds the in-process compile benchmark, on the scale spec
// of package scalespec, for profiling (docs/bench.md). `make bench-compile`
// measures mlc compile as a process against cue eval of the same file.
package bench
