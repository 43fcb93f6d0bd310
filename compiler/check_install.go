package compiler

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io"
	"os"
	"path/filepath"
)

// checkInstall reads the release key a spec names (mlc.install.public_key)
// inside the spec directory, never through a link out of it, and accepts
// only what the install step can verify with: an ECDSA P-256 public key in
// PEM. A key that cannot verify would only fail every job later.
func checkInstall(s *Spec) Errors {
	if s.MLC == nil || s.MLC.Install == nil || s.MLC.Install.PublicKey == "" {
		return nil
	}
	in := s.MLC.Install
	fail := func(msg string) Errors {
		return Errors{{Pos: s.pos("mlc", "install", "public_key"), Path: "mlc.install.public_key", Msg: msg,
			Hint: "name a PEM file in the spec directory holding the release's ECDSA P-256 public key (openssl ec -pubout), or leave it out for mlc's own release key"}}
	}
	key, err := readInSpecDir(s.src.dir, in.PublicKey)
	if err != nil {
		return fail(err.Error())
	}
	block, _ := pem.Decode(key)
	if block == nil || block.Type != "PUBLIC KEY" {
		return fail(in.PublicKey + " is not a PEM public key")
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if ec, ok := pub.(*ecdsa.PublicKey); err != nil || !ok || ec.Curve != elliptic.P256() {
		return fail(in.PublicKey + " is not an ECDSA P-256 public key")
	}
	in.key = string(pem.EncodeToMemory(block))
	return nil
}

// readInSpecDir reads a small file the spec names, relative to its
// directory, through an os.Root: a link leading out of it is refused.
func readInSpecDir(dir, name string) ([]byte, error) {
	if filepath.IsAbs(name) {
		return nil, errors.New(name + ": want a path relative to the spec directory")
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(name))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, 1<<16))
}
