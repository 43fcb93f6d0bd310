package targets

import (
	"runtime"
	"sync"
)

// ForEach calls render(i) for i in [0, n) on every CPU and returns the
// results in order. Workflows render independently and a split spec has
// thousands, so the render scales with the cores; the first error in
// index order is returned, so the outcome does not depend on scheduling.
func ForEach[T any](n int, render func(i int) (T, error)) ([]T, error) {
	out := make([]T, n)
	errs := make([]error, n)
	var next sync.Mutex
	i := 0
	var wg sync.WaitGroup
	for range min(n, runtime.GOMAXPROCS(0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				next.Lock()
				j := i
				i++
				next.Unlock()
				if j >= n {
					return
				}
				out[j], errs[j] = render(j)
			}
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}
