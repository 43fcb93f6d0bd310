package main

import (
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"net/netip"
	"net/url"
	"strings"

	"golang.org/x/net/dns/dnsmessage"
)

const zone = ".svc.cluster.local."

type resolver struct {
	api    *http.Client
	server string
}

// answer builds the response to one query message.
func (r resolver) answer(query []byte) ([]byte, error) {
	var p dnsmessage.Parser
	h, err := p.Start(query)
	if err != nil {
		return nil, err
	}
	q, err := p.Question()
	if err != nil {
		return nil, err
	}
	ip, found := r.lookup(q.Name.String())
	h.Response, h.Authoritative, h.RecursionAvailable = true, true, false
	if !found {
		h.RCode = dnsmessage.RCodeNameError
	}
	b := dnsmessage.NewBuilder(nil, h)
	b.EnableCompression()
	if err := b.StartQuestions(); err != nil {
		return nil, err
	}
	if err := b.Question(q); err != nil {
		return nil, err
	}
	if found && q.Type == dnsmessage.TypeA {
		if err := b.StartAnswers(); err != nil {
			return nil, err
		}
		rh := dnsmessage.ResourceHeader{Name: q.Name, Type: dnsmessage.TypeA, Class: dnsmessage.ClassINET, TTL: 5}
		if err := b.AResource(rh, dnsmessage.AResource{A: ip.As4()}); err != nil {
			return nil, err
		}
	}
	return b.Finish()
}

// lookup finds the ClusterIP of SERVICE.NAMESPACE.svc.cluster.local.
func (r resolver) lookup(name string) (netip.Addr, bool) {
	name = strings.ToLower(name)
	svc, ns, ok := strings.Cut(strings.TrimSuffix(name, zone), ".")
	if !strings.HasSuffix(name, zone) || !ok || strings.Contains(ns, ".") {
		return netip.Addr{}, false
	}
	// A list, not a get: kube-proxy's role, whose identity svcdns uses, may
	// list and watch Services but not get one.
	u := fmt.Sprintf("%s/api/v1/namespaces/%s/services?fieldSelector=%s", r.server,
		url.PathEscape(ns), url.QueryEscape("metadata.name="+svc))
	resp, err := r.api.Get(u)
	if err != nil {
		log.Printf("svcdns: %s: %v", name, err)
		return netip.Addr{}, false
	}
	defer resp.Body.Close()
	var list struct {
		Items []struct {
			Spec struct {
				ClusterIP string `json:"clusterIP"`
			} `json:"spec"`
		} `json:"items"`
	}
	if resp.StatusCode != http.StatusOK {
		log.Printf("svcdns: %s: API server answered %s", name, resp.Status)
		return netip.Addr{}, false
	}
	if json.NewDecoder(resp.Body).Decode(&list) != nil || len(list.Items) != 1 {
		return netip.Addr{}, false
	}
	ip, err := netip.ParseAddr(list.Items[0].Spec.ClusterIP)
	return ip, err == nil && ip.Is4()
}
