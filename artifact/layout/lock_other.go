//go:build !unix

package layout

// lockIndex is a no-op where flock(2) does not exist; the in-process mutex
// still serialises writers of one process.
func (s *Store) lockIndex() (unlock func(), err error) { return func() {}, nil }
