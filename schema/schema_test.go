package schema

import (
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
)

func TestSchemaAcceptsAndRejects(t *testing.T) {
	ctx := cuecontext.New()
	def, err := Pipeline(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		spec string
		ok   bool
	}{
		{`name: "credit-risk"`, true},
		{`name: "Credit"`, false},                                                 // not a #Name
		{`name: "x", colour: "red"`, false},                                       // closed: unknown field
		{`name: "x", models: m: train: {image: "i", run: "r", data: []}}`, false}, // data must not be empty
		{`name: "x", datasets: d: {source: local: path: "d"}, triggers: schedule: nightly: "0 3 * * *"`, true},
		{`name: "x", triggers: schedule: nightly: "every day"`, false},
	} {
		v := def.Unify(ctx.CompileString(tc.spec))
		err := v.Validate(cue.Concrete(true))
		if (err == nil) != tc.ok {
			t.Errorf("%s: ok=%v, err=%v", tc.spec, tc.ok, err)
		}
	}
}
