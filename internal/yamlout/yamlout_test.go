package yamlout

import (
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestEncodeKeepsOrderAndRoundTrips(t *testing.T) {
	m := NewMap().Set("zeta", "1").Set("alpha", true).Set("skip", nil).Set("empty", []string{}).
		Set("list", []string{"on", "yes", "a: b"}).Set("script", "echo 'hi'\nexit 0\n").Set("n", 3)
	out, err := Encode("# header\n", m)
	if err != nil {
		t.Fatal(err)
	}
	want := "# header\nzeta: \"1\"\nalpha: true\nlist:\n  - \"on\"\n  - \"yes\"\n  - \"a: b\"\nscript: |\n  echo 'hi'\n  exit 0\n\"n\": 3\n"
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	var back map[string]any
	if err := yaml.Unmarshal(out, &back); err != nil {
		t.Fatal(err)
	}
	if back["zeta"] != "1" || back["list"].([]any)[0] != "on" || back["script"] != "echo 'hi'\nexit 0\n" {
		t.Fatalf("round trip lost values: %v", back)
	}
}
