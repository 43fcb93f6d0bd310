package notify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// Retry is how often and how long a request is tried again: after a 5xx,
// a 429 or a failed connection, with exponential backoff from Wait, or as
// long as the server's Retry-After asks, never longer than MaxWait. Other
// answers are final.
type Retry struct {
	Attempts int
	Wait     time.Duration
	MaxWait  time.Duration
}

// DefaultRetry rides out a short outage of the receiver and still ends
// well within a CI step's time.
var DefaultRetry = Retry{Attempts: 4, Wait: time.Second, MaxWait: 30 * time.Second}

// StatusError is a final answer that is not a success.
type StatusError struct {
	Status   string
	Attempts int
}

func (e *StatusError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("gave up after %d attempts, last answer %s", e.Attempts, e.Status)
	}
	return "refused: " + e.Status
}

// do sends one request as the policy says and returns the body of a 2xx
// answer. URLs and headers hold secrets: errors never include them.
func (c *Client) do(ctx context.Context, method, url string, header http.Header, body []byte) ([]byte, error) {
	attempts := max(c.Retry.Attempts, 1)
	var wait time.Duration
	for attempt := 1; ; attempt++ {
		if attempt > 1 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-time.After(wait):
			}
		}
		req, err := http.NewRequestWithContext(ctx, method, url, bytes.NewReader(body))
		if err != nil {
			return nil, errors.New("the URL is not valid")
		}
		req.Header = header.Clone()
		resp, err := c.HTTP.Do(req)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if attempt == attempts {
				return nil, fmt.Errorf("gave up after %d attempts, last could not connect", attempt)
			}
			wait = c.backoff(attempt, "")
			continue
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		resp.Body.Close()
		switch {
		case resp.StatusCode < 300 && err == nil:
			return data, nil
		case resp.StatusCode < 300:
			return nil, errors.New("the answer broke off")
		case resp.StatusCode < 500 && resp.StatusCode != http.StatusTooManyRequests:
			return nil, &StatusError{Status: resp.Status, Attempts: 1}
		case attempt == attempts:
			return nil, &StatusError{Status: resp.Status, Attempts: attempt}
		}
		wait = c.backoff(attempt, resp.Header.Get("Retry-After"))
	}
}

// backoff is the wait before attempt+1: Retry-After when the server gave
// one (seconds or a date), else Wait doubled per attempt; capped.
func (c *Client) backoff(attempt int, retryAfter string) time.Duration {
	wait := c.Retry.Wait << (attempt - 1)
	if s, err := strconv.Atoi(retryAfter); err == nil && s >= 0 {
		wait = time.Duration(s) * time.Second
	} else if t, err := http.ParseTime(retryAfter); err == nil {
		wait = time.Until(t)
	}
	return max(min(wait, c.Retry.MaxWait), 0)
}
