package ir

import (
	"os/exec"
	"strings"
	"testing"
)

func TestShellWordsRoundTripsThroughSh(t *testing.T) {
	args := []string{
		"plain", "", "with space", "it's", `"dq"`, "$HOME", "`id`", "$(id)", "a;b|c&d",
		"${MLC_REF}", "pre-${MLC_REF}-post", "${lower}", "tab\there", "new\nline", "glob*?[x]", "~user",
	}
	line := "printf '%s\\n' " + ShellWords(args)
	cmd := exec.Command("sh", "-c", line)
	cmd.Env = []string{"MLC_REF=reg/x@sha256:1", "HOME=/nowhere", "lower=no"}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("sh -c %q: %v", line, err)
	}
	want := []string{
		"plain", "", "with space", "it's", `"dq"`, "$HOME", "`id`", "$(id)", "a;b|c&d",
		"reg/x@sha256:1", "pre-reg/x@sha256:1-post", "${lower}", "tab\there", "new", "line", "glob*?[x]", "~user",
	}
	got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("line %s\n got %q\nwant %q", line, got, want)
	}
}

func TestEnvRefs(t *testing.T) {
	got := EnvRefs("a ${X} b ${Y_2} ${lower} $Z")
	if strings.Join(got, ",") != "X,Y_2" {
		t.Fatalf("EnvRefs = %q", got)
	}
}
