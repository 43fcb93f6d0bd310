package adapter

import "testing"

func TestRelativeKey(t *testing.T) {
	for _, tc := range []struct {
		key, prefix, want string
		ok                bool
	}{
		{"credit/2026/part-0.csv", "credit/2026/", "part-0.csv", true},
		{"credit/2026/part-0.csv", "credit/2026/part-", "part-0.csv", true},
		{"credit/2026/part-0.csv", "credit/2026", "2026/part-0.csv", true},
		{"credit/2026/part-0.csv", "", "credit/2026/part-0.csv", true},
		{"credit/2026/part-0.csv", "credit/2026/part-0.csv", "part-0.csv", true},
		{"credit//x.csv", "credit/", "x.csv", true},
		{"credit/2026/", "credit/", "", false},
	} {
		got, ok := relativeKey(tc.key, tc.prefix)
		if got != tc.want || ok != tc.ok {
			t.Errorf("relativeKey(%q, %q) = %q, %v; want %q, %v", tc.key, tc.prefix, got, ok, tc.want, tc.ok)
		}
	}
}
