package gitops

import (
	"regexp"
	"strings"
)

// Match reports whether name matches the GitHub-style filter patterns:
// "*" matches within one path segment, "**" across them, "?" one
// character, and a later "!pattern" excludes what earlier ones matched.
func Match(patterns []string, name string) bool {
	matched := false
	for _, p := range patterns {
		if neg, ok := strings.CutPrefix(p, "!"); ok {
			if matched && globRegexp(neg).MatchString(name) {
				matched = false
			}
			continue
		}
		if !matched && globRegexp(p).MatchString(name) {
			matched = true
		}
	}
	return matched
}

// globRegexp compiles one pattern; "+" and "[...]" keep their regexp
// meaning, as in GitHub's filter syntax.
func globRegexp(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '*':
			if i+1 < len(p) && p[i+1] == '*' {
				b.WriteString(".*")
				i++
			} else {
				b.WriteString("[^/]*")
			}
		case '?':
			b.WriteString("[^/]")
		case '+', '[', ']', '-':
			b.WriteByte(c)
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	re, err := regexp.Compile(b.String())
	if err != nil { // an unbalanced "[": match it literally
		return regexp.MustCompile("^" + regexp.QuoteMeta(p) + "$")
	}
	return re
}
