package notify

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

func TestSendRetriesThenDelivers(t *testing.T) {
	var calls atomic.Int32
	var got Message
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		json.NewDecoder(r.Body).Decode(&got)
	}))
	defer srv.Close()
	if err := Send(context.Background(), srv.Client(), srv.URL+"/hook", Message{Text: "drift"}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || got.Text != "drift" {
		t.Fatalf("calls=%d message=%+v", calls.Load(), got)
	}
}

func TestSendDoesNotLeakURL(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
	}))
	defer srv.Close()
	url := srv.URL + "/secret-token"
	err := Send(context.Background(), srv.Client(), url, Message{Text: "x"})
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Fatalf("err = %v", err)
	}
}
