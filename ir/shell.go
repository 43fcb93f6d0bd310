package ir

import (
	"regexp"
	"strings"
)

// envRef matches the only dynamic part an mlc argument may hold: a
// reference to an environment variable, written ${NAME}.
var envRef = regexp.MustCompile(`\$\{[A-Z_][A-Z0-9_]*\}`)

// ShellWords renders argv as one POSIX shell command line. Each argument is
// quoted so the shell passes it through unchanged, except ${NAME}
// references, which are left for the shell to expand (inside double quotes,
// so the value is never split or globbed). Every other character is literal:
// a spec value can never inject shell syntax.
func ShellWords(argv []string) string {
	words := make([]string, len(argv))
	for i, a := range argv {
		words[i] = shellWord(a)
	}
	return strings.Join(words, " ")
}

func shellWord(a string) string {
	if a == "" {
		return "''"
	}
	if strings.IndexFunc(a, unsafeRune) < 0 {
		return a
	}
	if literal := envRef.ReplaceAllString(a, ""); !strings.ContainsAny(literal, "$`\\\"!\n") {
		return `"` + a + `"` // only ${NAME} is special inside double quotes here
	}
	var b strings.Builder
	last := 0
	for _, m := range envRef.FindAllStringIndex(a, -1) {
		b.WriteString(singleQuote(a[last:m[0]]))
		b.WriteString(`"` + a[m[0]:m[1]] + `"`)
		last = m[1]
	}
	b.WriteString(singleQuote(a[last:]))
	return b.String()
}

func singleQuote(s string) string {
	if s == "" {
		return ""
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// unsafeRune reports characters that need quoting in a shell word.
func unsafeRune(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-_./:=@,+%", r)
}

// EnvName is what every target accepts as an environment variable name.
var EnvName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// EnvRefs lists the ${NAME} references in s, in order of appearance.
func EnvRefs(s string) []string {
	var names []string
	for _, m := range envRef.FindAllString(s, -1) {
		names = append(names, m[2:len(m)-1])
	}
	return names
}
