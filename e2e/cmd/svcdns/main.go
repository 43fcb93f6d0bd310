// Command svcdns is the e2e cluster's DNS: it answers A queries for
// SERVICE.NAMESPACE.svc.cluster.local with the Service's ClusterIP, read from
// the API server, and NXDOMAIN for every other name (nothing is forwarded:
// the cluster has no way out). A stand-in for CoreDNS, UDP only.
//
//	svcdns -listen 10.250.0.2:53 -server https://10.250.0.2:6443 -ca ca.crt -cert c.crt -key c.key
package main

import (
	"crypto/tls"
	"crypto/x509"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"time"
)

func main() {
	listen := flag.String("listen", "", "UDP address to answer on")
	server := flag.String("server", "", "API server URL")
	ca := flag.String("ca", "", "API server CA certificate")
	cert := flag.String("cert", "", "client certificate (may get services cluster-wide)")
	key := flag.String("key", "", "client key")
	flag.Parse()
	client, err := apiClient(*ca, *cert, *key)
	if err != nil {
		log.Fatal(err)
	}
	conn, err := net.ListenPacket("udp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	r := resolver{api: client, server: *server}
	buf := make([]byte, 512)
	for {
		n, from, err := conn.ReadFrom(buf)
		if err != nil {
			log.Fatal(err)
		}
		go func(q []byte) {
			if resp, err := r.answer(q); err == nil {
				_, _ = conn.WriteTo(resp, from)
			}
		}(append([]byte(nil), buf[:n]...))
	}
}

func apiClient(ca, cert, key string) (*http.Client, error) {
	pem, err := os.ReadFile(ca)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	pair, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		return nil, err
	}
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, Certificates: []tls.Certificate{pair}}}
	return &http.Client{Transport: tr, Timeout: 3 * time.Second}, nil
}
