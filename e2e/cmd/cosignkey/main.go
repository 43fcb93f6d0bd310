// Command cosignkey writes a cosign key pair (cosign.key, encrypted with
// $COSIGN_PASSWORD, and cosign.pub) into a directory, as
// `cosign generate-key-pair` does, for runs that sign with a key secret.
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/sigstore/cosign/v2/pkg/cosign"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: COSIGN_PASSWORD=... cosignkey DIR")
		os.Exit(2)
	}
	keys, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(os.Getenv("COSIGN_PASSWORD")), nil })
	if err == nil {
		err = os.WriteFile(filepath.Join(os.Args[1], "cosign.key"), keys.PrivateBytes, 0o600)
	}
	if err == nil {
		err = os.WriteFile(filepath.Join(os.Args[1], "cosign.pub"), keys.PublicBytes, 0o644)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cosignkey:", err)
		os.Exit(1)
	}
}
