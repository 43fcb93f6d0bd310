// Package memo remembers verdicts on cell values for the checks whose
// validation is costly (CUE unification, libphonenumber), so that columns
// which repeat values pay once per value.
package memo

// Memo maps values to verdicts. It stops learning at its capacity rather
// than evicting: memory stays bounded, and the values seen first (in a
// column that repeats, the common ones) stay cached.
type Memo[V any] struct {
	m   map[string]V
	max int
}

// New returns a memo of at most max entries.
func New[V any](max int) *Memo[V] { return &Memo[V]{m: map[string]V{}, max: max} }

// Get looks key up without allocating.
func (m *Memo[V]) Get(key []byte) (V, bool) {
	v, ok := m.m[string(key)]
	return v, ok
}

// Put remembers v for key, unless the memo is full.
func (m *Memo[V]) Put(key []byte, v V) {
	if len(m.m) < m.max {
		m.m[string(key)] = v
	}
}
