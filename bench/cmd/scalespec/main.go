// Command scalespec writes the benchmarks' scale spec of -models models to
// stdout (package scalespec says what is in it).
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"

	"github.com/mlc-project/mlc/bench/scalespec"
)

func main() {
	n := flag.Int("models", 1000, "number of models")
	flag.Parse()
	w := bufio.NewWriter(os.Stdout)
	err := scalespec.Write(w, *n)
	if err == nil {
		err = w.Flush()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "scalespec:", err)
		os.Exit(1)
	}
}
