package memo

import "testing"

func TestMemoStopsAtCapacity(t *testing.T) {
	m := New[int](2)
	m.Put([]byte("a"), 1)
	m.Put([]byte("b"), 2)
	m.Put([]byte("c"), 3)
	if v, ok := m.Get([]byte("a")); !ok || v != 1 {
		t.Errorf("a = %v, %v", v, ok)
	}
	if _, ok := m.Get([]byte("c")); ok {
		t.Error("c was stored beyond the capacity")
	}
	if n := testing.AllocsPerRun(100, func() { m.Get([]byte("b")) }); n != 0 {
		t.Errorf("Get allocates %v times", n)
	}
}
