package targets

import (
	"errors"
	"fmt"
	"testing"
)

func TestForEachKeepsOrderAndFirstError(t *testing.T) {
	got, err := ForEach(1000, func(i int) (string, error) { return fmt.Sprint(i), nil })
	if err != nil || len(got) != 1000 {
		t.Fatalf("%d results, %v", len(got), err)
	}
	for i, s := range got {
		if s != fmt.Sprint(i) {
			t.Fatalf("result %d is %q", i, s)
		}
	}
	_, err = ForEach(1000, func(i int) (int, error) {
		if i%100 == 7 {
			return 0, fmt.Errorf("workflow %d", i)
		}
		return i, nil
	})
	if err == nil || err.Error() != "workflow 7" {
		t.Errorf("error %v, want the first in order (workflow 7)", err)
	}
	if got, err := ForEach(0, func(int) (int, error) { return 0, errors.New("called") }); err != nil || len(got) != 0 {
		t.Errorf("no items: %v, %v", got, err)
	}
}
