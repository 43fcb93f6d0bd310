package compiler

import (
	"fmt"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// checkKeyless: keyless signing needs an OIDC identity for the jobs, which
// only some engines give (ir.Engine.Keyless); elsewhere the signing step
// would fail at run time and the verify step would trust nobody.
func checkKeyless(s *Spec) Errors {
	if !s.Signing.Keyless {
		return nil
	}
	var without []string
	for _, e := range s.src.engines {
		if !e.Keyless {
			without = append(without, e.Name)
		}
	}
	if len(without) == 0 {
		return nil
	}
	verb := "does"
	if len(without) > 1 {
		verb = "do"
	}
	return Errors{{Pos: s.pos("signing", "keyless"), Path: "signing.keyless",
		Msg:  fmt.Sprintf("keyless signing needs the jobs' OIDC identity, which %s %s not give", strings.Join(without, " and "), verb),
		Hint: "sign with a key (signing.key_secret and signing.public_key) for this engine, or compile only for one that has an identity (mlc vet --target github)"}}
}

// keylessEngine names the signer identity deployments accept: the first
// engine compiled for (checkKeyless ensures each has one).
func (s *Spec) keylessEngine() ir.Engine {
	if len(s.src.engines) == 0 {
		return ir.Engine{}
	}
	return s.src.engines[0]
}
