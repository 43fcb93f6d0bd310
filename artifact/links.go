package artifact

import (
	"errors"
	"fmt"
	"path"
	"strings"
)

// maxLinkHops bounds the links one path may pass through, as the
// kernel's ELOOP limit does.
const maxLinkHops = 40

var errLeavesRoot = errors.New("it leads out of the target directory")

// resolveInside resolves the slash path p (relative to a root, possibly
// holding ".." and links) component by component, as the kernel would,
// with readlink giving each link's target. It fails when any step of the
// walk leaves the root. Checking a link's target as text is not enough:
// with l0 -> ".", the text "l0/.." is "." but on disk it is the root's
// parent.
func resolveInside(p string, readlink func(rel string) (string, bool)) (string, error) {
	var cur []string
	rest := strings.Split(p, "/")
	for hops := 0; len(rest) > 0; {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return "", errLeavesRoot
			}
			cur = cur[:len(cur)-1]
			continue
		}
		cur = append(cur, c)
		target, isLink := readlink(strings.Join(cur, "/"))
		if !isLink {
			continue
		}
		if hops++; hops > maxLinkHops {
			return "", fmt.Errorf("it goes through more than %d links", maxLinkHops)
		}
		if path.IsAbs(target) {
			return "", errLeavesRoot
		}
		cur = cur[:len(cur)-1] // a link's target is relative to its directory
		rest = append(strings.Split(target, "/"), rest...)
	}
	return strings.Join(cur, "/"), nil
}

// linkStaysInside checks the link rel -> target, resolved with readlink.
func linkStaysInside(rel, target string, readlink func(string) (string, bool)) error {
	if path.IsAbs(target) {
		return errLeavesRoot
	}
	_, err := resolveInside(path.Dir(rel)+"/"+target, readlink)
	return err
}
