package spec

import (
	"fmt"
	"strings"
)

// kind is one optional field of a discriminated type (a source adapter,
// an alert channel): a valid value sets exactly one.
type kind struct {
	name string
	set  bool
}

func setKinds(all []kind) []string {
	var k []string
	for _, c := range all {
		if c.set {
			k = append(k, c.name)
		}
	}
	return k
}

// exactlyOne explains kinds that are not exactly one, or is "".
func exactlyOne(noun string, kinds []string) string {
	switch len(kinds) {
	case 0:
		return "no " + noun + " set"
	case 1:
		return ""
	default:
		return fmt.Sprintf("%d %ss set (%s)", len(kinds), noun, strings.Join(kinds, ", "))
	}
}
