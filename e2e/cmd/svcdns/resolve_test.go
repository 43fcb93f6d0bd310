package main

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"testing"

	"golang.org/x/net/dns/dnsmessage"
)

func TestAnswer(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if req.URL.Path != "/api/v1/namespaces/default/services" {
			http.NotFound(w, req)
			return
		}
		if req.URL.Query().Get("fieldSelector") != "metadata.name=web" {
			_, _ = w.Write([]byte(`{"items":[]}`))
			return
		}
		_, _ = w.Write([]byte(`{"items":[{"spec":{"clusterIP":"10.96.100.10"}}]}`))
	}))
	defer api.Close()
	r := resolver{api: api.Client(), server: api.URL}
	for _, tc := range []struct {
		name  string
		typ   dnsmessage.Type
		rcode dnsmessage.RCode
		a     string
	}{
		{"web.default.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, "10.96.100.10"},
		{"WEB.default.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeSuccess, "10.96.100.10"},
		{"web.default.svc.cluster.local.", dnsmessage.TypeAAAA, dnsmessage.RCodeSuccess, ""},
		{"db.default.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeNameError, ""},
		{"web.default.svc.cluster.local.default.svc.cluster.local.", dnsmessage.TypeA, dnsmessage.RCodeNameError, ""},
		{"example.com.", dnsmessage.TypeA, dnsmessage.RCodeNameError, ""},
	} {
		q := dnsmessage.Message{Header: dnsmessage.Header{ID: 7, RecursionDesired: true},
			Questions: []dnsmessage.Question{{Name: dnsmessage.MustNewName(tc.name), Type: tc.typ, Class: dnsmessage.ClassINET}}}
		packed, err := q.Pack()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := r.answer(packed)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var m dnsmessage.Message
		if err := m.Unpack(resp); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if m.ID != 7 || !m.Response || m.RCode != tc.rcode || len(m.Questions) != 1 {
			t.Errorf("%s %v: header %+v, want rcode %v", tc.name, tc.typ, m.Header, tc.rcode)
		}
		got := ""
		if len(m.Answers) == 1 {
			a := m.Answers[0].Body.(*dnsmessage.AResource).A
			got = netip.AddrFrom4(a).String()
		}
		if got != tc.a || len(m.Answers) > 1 {
			t.Errorf("%s %v: answers %v, want %q", tc.name, tc.typ, m.Answers, tc.a)
		}
	}
}
