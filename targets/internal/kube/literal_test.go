package kube

import (
	"testing"

	"github.com/mlc-project/mlc/targets/internal/kube/kubetest"
)

func TestLiteralSurvivesKubeletExpansion(t *testing.T) {
	env := map[string]string{"HOME": "/root", "X": "expanded"}
	for _, s := range []string{"plain", "$HOME", "$(HOME)", "$$", "$$(X)", "a$", "$$$", "echo $(date) $$ `id` ${X}", "$($(X))"} {
		if got := kubetest.Expand(Literal(s), env); got != s {
			t.Errorf("kubelet turns Literal(%q) = %q into %q", s, Literal(s), got)
		}
	}
	if got := kubetest.Expand("$(X)", env); got != "expanded" {
		t.Fatalf("oracle does not expand: %q", got)
	}
}
