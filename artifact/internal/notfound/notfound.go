// Package notfound is the "not found" error of the artifact stores: its
// message is the store's own, and errors.Is matches fs.ErrNotExist, so
// callers tell a missing tag or blob (bad input) from a failing store.
package notfound

import (
	"fmt"
	"io/fs"
)

type notFound struct{ err error }

func (e notFound) Error() string        { return e.err.Error() }
func (e notFound) Unwrap() error        { return e.err }
func (e notFound) Is(target error) bool { return target == fs.ErrNotExist }

// Errorf formats a not-found error; %w wraps a cause as fmt.Errorf does.
func Errorf(format string, args ...any) error {
	return notFound{fmt.Errorf(format, args...)}
}
