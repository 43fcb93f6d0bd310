// Package stats holds the numerics behind the drift gate: two-sample tests
// (Kolmogorov-Smirnov, chi-squared, two-proportion Z), distances
// (Wasserstein, Jensen-Shannon, PSI) and numpy-compatible histogram binning.
//
// Every function reproduces the reference implementation it is named after
// (scipy.stats, scipy.spatial.distance, numpy, Evidently) closely enough to
// agree to 1e-9; the tests check that against vectors those libraries
// produced (testdata/gate/drift_vectors.json). Samples are non-empty and
// finite, given as a Sample: distinct values with their counts.
package stats
