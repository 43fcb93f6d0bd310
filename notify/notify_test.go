package notify

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// recorder is a loopback server that records every request and answers
// with the statuses given, in turn (the last one from then on).
type recorder struct {
	mu       sync.Mutex
	requests []recorded
	statuses []int
}

type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                map[string]any
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	data, _ := io.ReadAll(r.Body)
	rec := recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Header: r.Header}
	json.Unmarshal(data, &rec.Body)
	rc.requests = append(rc.requests, rec)
	status := rc.statuses[min(len(rc.requests), len(rc.statuses))-1]
	w.WriteHeader(status)
}

func serve(t *testing.T, statuses ...int) (*recorder, string) {
	rc := &recorder{statuses: statuses}
	srv := httptest.NewServer(rc)
	t.Cleanup(srv.Close)
	return rc, srv.URL
}

func testClient() *Client {
	return &Client{HTTP: &http.Client{Timeout: 5 * time.Second}, Retry: Retry{Attempts: 3, Wait: time.Millisecond, MaxWait: 10 * time.Millisecond}}
}

var drift = Alert{Pipeline: "credit-risk", Workflow: "credit-risk-monitor", Cause: "drift", Subject: "credit",
	Text: "drift in credit", RunURL: "https://github.example/o/r/actions/runs/7"}

func TestWebhookBodyAndHeaders(t *testing.T) {
	rc, url := serve(t, 200)
	if err := (Webhook{ChannelName: "ops", URL: url + "/hook"}).Send(context.Background(), testClient(), drift); err != nil {
		t.Fatal(err)
	}
	r := rc.requests[0]
	want := map[string]any{"pipeline": "credit-risk", "workflow": "credit-risk-monitor", "cause": "drift", "subject": "credit",
		"text": "drift in credit", "run_url": drift.RunURL, "dedup_key": "mlc-alert/credit-risk/drift/credit"}
	if r.Method != "POST" || r.Path != "/hook" || r.Header.Get("Content-Type") != "application/json" || len(r.Body) != len(want) {
		t.Fatalf("request %+v", r)
	}
	for k, v := range want {
		if r.Body[k] != v {
			t.Errorf("%s = %v, want %v", k, r.Body[k], v)
		}
	}
}

func TestSlackBodyIsText(t *testing.T) {
	rc, url := serve(t, 200)
	if err := (Slack{ChannelName: "chat", URL: url}).Send(context.Background(), testClient(), drift); err != nil {
		t.Fatal(err)
	}
	text, _ := rc.requests[0].Body["text"].(string)
	if len(rc.requests[0].Body) != 1 || !strings.HasPrefix(text, "drift in credit\n"+drift.RunURL) || !strings.Contains(text, drift.DedupKey()) {
		t.Fatalf("body %v", rc.requests[0].Body)
	}
}

func TestRetriesUnavailableThenDelivers(t *testing.T) {
	rc, url := serve(t, 503, 503, 200)
	if err := Send(context.Background(), testClient(), []Channel{Webhook{ChannelName: "ops", URL: url}}, drift); err != nil {
		t.Fatal(err)
	}
	if len(rc.requests) != 3 {
		t.Fatalf("%d requests, want 3", len(rc.requests))
	}
}

func TestServerErrorGivesUpNamingChannelNotURL(t *testing.T) {
	rc, url := serve(t, 500)
	err := Send(context.Background(), testClient(), []Channel{Webhook{ChannelName: "ops", URL: url + "/secret-token"}}, drift)
	if len(rc.requests) != 3 {
		t.Fatalf("%d requests, want 3 attempts", len(rc.requests))
	}
	if err == nil || !strings.Contains(err.Error(), "channel ops (webhook)") || !strings.Contains(err.Error(), "500") ||
		strings.Contains(err.Error(), "secret-token") || strings.Contains(err.Error(), "127.0.0.1") {
		t.Fatalf("err = %v", err)
	}
}

func TestClientErrorIsNotRetried(t *testing.T) {
	rc, url := serve(t, 400, 200)
	err := Send(context.Background(), testClient(), []Channel{Slack{ChannelName: "chat", URL: url}}, drift)
	if err == nil || len(rc.requests) != 1 || !strings.Contains(err.Error(), "refused: 400") {
		t.Fatalf("%d requests, err = %v", len(rc.requests), err)
	}
}

func TestOneFailingChannelDoesNotStopTheOthers(t *testing.T) {
	bad, badURL := serve(t, 404)
	good, goodURL := serve(t, 200)
	err := Send(context.Background(), testClient(), []Channel{Slack{ChannelName: "a", URL: badURL}, Webhook{ChannelName: "b", URL: goodURL}}, drift)
	if err == nil || len(bad.requests) != 1 || len(good.requests) != 1 {
		t.Fatalf("err = %v, requests %d %d", err, len(bad.requests), len(good.requests))
	}
}

func TestConnectionErrorIsRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	err := Send(context.Background(), testClient(), []Channel{Webhook{ChannelName: "ops", URL: url}}, drift)
	if err == nil || !strings.Contains(err.Error(), "3 attempts, last could not connect") || strings.Contains(err.Error(), url) {
		t.Fatalf("err = %v", err)
	}
}

func TestBackoffHonoursRetryAfterUpToTheCap(t *testing.T) {
	c := testClient()
	for _, tc := range []struct {
		attempt    int
		retryAfter string
		want       time.Duration
	}{{1, "", time.Millisecond}, {3, "", 4 * time.Millisecond}, {1, "0", 0}, {1, "120", 10 * time.Millisecond}, {9, "", 10 * time.Millisecond}} {
		if got := c.backoff(tc.attempt, tc.retryAfter); got != tc.want {
			t.Errorf("backoff(%d, %q) = %v, want %v", tc.attempt, tc.retryAfter, got, tc.want)
		}
	}
}

func TestAlertValidate(t *testing.T) {
	if err := (Alert{Cause: "rain", Text: "x"}).Validate(); err == nil {
		t.Error("cause rain accepted")
	}
	if err := (Alert{Cause: "drift"}).Validate(); err == nil {
		t.Error("empty message accepted")
	}
}
