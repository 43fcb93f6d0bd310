//go:build unix

package layout

import (
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// lockIndex takes an exclusive lock on the layout so that concurrent mlc
// processes (parallel CI jobs on one runner) do not lose each other's
// index.json entries. The kernel drops the lock if the process dies.
func (s *Store) lockIndex() (unlock func(), err error) {
	f, err := os.OpenFile(filepath.Join(s.dir, ".mlc-index.lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX); err != nil {
		f.Close()
		return nil, err
	}
	return func() { f.Close() }, nil // closing releases the lock
}
