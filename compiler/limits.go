package compiler

import (
	"fmt"
	"os"
	"runtime/metrics"
	"time"

	"github.com/dustin/go-humanize"
)

// Limits bound the evaluation of a spec. CUE is a language: a few lines
// (a comprehension over list.Range, a string doubled thirty times) can run
// for minutes or fill the machine's memory, and mlc compiles specs from
// pull requests. A 10,000-model spec evaluates in about 10 s and 1.4 GB.
type Limits struct {
	Time   time.Duration // 0: unbounded
	Memory uint64        // heap bytes the evaluation may add; 0: unbounded
}

// Environment variables that raise (or, with 0, lift) the limits.
const (
	envEvalTimeout = "MLC_EVAL_TIMEOUT" // a Go duration, e.g. 5m
	envEvalMemory  = "MLC_EVAL_MEMORY"  // bytes, e.g. 16GiB
)

// DefaultLimits are 2 minutes and 8 GiB, or what the environment says.
func DefaultLimits() (Limits, error) {
	l := Limits{Time: 2 * time.Minute, Memory: 8 << 30}
	if s := os.Getenv(envEvalTimeout); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 {
			return l, fmt.Errorf("%s=%q is not a duration such as 5m", envEvalTimeout, s)
		}
		l.Time = d
	}
	if s := os.Getenv(envEvalMemory); s != "" {
		n, err := humanize.ParseBytes(s)
		if err != nil {
			return l, fmt.Errorf("%s=%q is not a size such as 16GiB", envEvalMemory, s)
		}
		l.Memory = n
	}
	return l, nil
}

// bounded runs eval, returning early with an error naming the limit when
// it runs too long or its heap grows too much. The evaluation cannot be
// interrupted: it goes on in the background until the process exits, as
// the CLI does at once on this error.
func bounded[T any](l Limits, eval func() (T, error)) (T, error) {
	type result struct {
		v   T
		err error
	}
	done := make(chan result, 1)
	start := heapBytes()
	go func() {
		v, err := eval()
		done <- result{v, err}
	}()
	var timeout <-chan time.Time
	if l.Time > 0 {
		t := time.NewTimer(l.Time)
		defer t.Stop()
		timeout = t.C
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	var zero T
	for {
		select {
		case r := <-done:
			return r.v, r.err
		case <-timeout:
			return zero, Errors{{Msg: fmt.Sprintf("evaluating the spec took longer than %s", l.Time),
				Hint: fmt.Sprintf("look for a large comprehension or recursion; set %s (e.g. 10m, 0 for no limit) to allow more", envEvalTimeout)}}
		case <-tick.C:
			if l.Memory > 0 && heapBytes() > start+l.Memory {
				return zero, Errors{{Msg: fmt.Sprintf("evaluating the spec used more than %s of memory", humanize.IBytes(l.Memory)),
					Hint: fmt.Sprintf("look for values that grow without bound (strings or lists built from themselves); set %s (e.g. 16GiB, 0 for no limit) to allow more", envEvalMemory)}}
			}
		}
	}
}

// heapBytes is the memory held by heap objects, live or not yet swept.
func heapBytes() uint64 {
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}
