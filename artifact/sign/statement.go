package sign

import (
	"bytes"
	"encoding/json"
	"fmt"

	ita1 "github.com/in-toto/attestation/go/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/types/known/structpb"
)

// NewStatement is the in-toto v1 statement that subject (and more, in
// order) has predicate, of predicateType, checked by the in-toto library. A nil predicate writes
// none, as cosign's sign statement has none. The predicate goes through
// JSON into a protobuf Struct, so its numbers become float64.
//
// The bytes are canonical: protojson sorts map keys but varies its
// whitespace on purpose, which json.Compact removes; the same statement
// gives the same bytes, so a signature over it can be found again.
func NewStatement(subject Subject, predicateType string, predicate any, more ...Subject) ([]byte, error) {
	st := &ita1.Statement{Type: ita1.StatementTypeUri, PredicateType: predicateType}
	for _, s := range append([]Subject{subject}, more...) {
		st.Subject = append(st.Subject, &ita1.ResourceDescriptor{Name: s.Name, Digest: s.Digest})
	}
	check := st
	if predicate != nil {
		raw, err := json.Marshal(predicate)
		if err != nil {
			return nil, fmt.Errorf("%s predicate: %w", predicateType, err)
		}
		st.Predicate = &structpb.Struct{}
		if err := protojson.Unmarshal(raw, st.Predicate); err != nil {
			return nil, fmt.Errorf("%s predicate is not a JSON object: %w", predicateType, err)
		}
	} else {
		// Validate requires a predicate; check the rest.
		check = &ita1.Statement{Type: st.Type, Subject: st.Subject, PredicateType: st.PredicateType, Predicate: &structpb.Struct{}}
	}
	if err := check.Validate(); err != nil {
		return nil, fmt.Errorf("in-toto %s statement: %w", predicateType, err)
	}
	raw, err := protojson.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("in-toto %s statement: %w", predicateType, err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, raw); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}
