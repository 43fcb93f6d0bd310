package kube

import "strings"

// Literal escapes s for the container fields Kubernetes expands $(VAR) in
// (command, args, env values): "$(" and "$$" would otherwise be rewritten
// by the kubelet, so a '$' followed by '(' or '$' is doubled. Other text,
// ${NAME} included, is left as it is to stay readable.
func Literal(s string) string {
	if !strings.Contains(s, "$(") && !strings.Contains(s, "$$") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '$' && i+1 < len(s) && (s[i+1] == '(' || s[i+1] == '$') {
			b.WriteByte('$')
		}
	}
	return b.String()
}
