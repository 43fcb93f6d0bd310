package runner

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/sigstore/cosign/v2/pkg/cosign"

	"github.com/mlc-project/mlc/ir"
)

// What a local run puts in place of the services a CI system provides.

// buildImage stands in for a container build: without a Docker engine, the
// build context (which the job's earlier step filled with the model) is
// pushed as an OCI artifact under the image's reference, so later jobs
// promote, sign and verify the same digest as they would an image.
func (r *run) buildImage(b *ir.ImageBuild, e *env) (*process, error) {
	if b == nil {
		return nil, fmt.Errorf("build-image step without a build")
	}
	ref, err := e.expand([]string{b.Ref})
	if err != nil {
		return nil, err
	}
	ctxDir := filepath.Join(r.root, filepath.FromSlash(b.Context))
	return &process{
		argv: []string{r.opts.MLC, "push", "code", ctxDir, ref[0], "--cache-dir", filepath.Join(r.specDir, ".mlc", "cache")},
		dir:  r.specDir, // where the store's relative path holds
		env:  e.list(),
	}, nil
}

// trigger records the workflow a step starts: Run runs it once this run
// ends, as the engines start it (unless NoChain, or this run was itself
// started by a trigger: one level, so no two workflows start each other).
func (r *run) trigger(workflow string, log *os.File) string {
	short := shortName(r.opts.Pipeline, workflow)
	msg := fmt.Sprintf("starts workflow %s when this run ends", workflow)
	if r.opts.NoChain || r.opts.ChainedFrom != "" {
		msg = fmt.Sprintf("would start workflow %s (not chained here): mlc run %s --workflow %s with this run's other flags", workflow, relOr(mustWd(), r.specDir), short)
	} else {
		_ = r.journal.update(func(rc *Record) {
			if !slices.Contains(rc.Triggered, workflow) {
				rc.Triggered = append(rc.Triggered, workflow)
			}
		})
	}
	fmt.Fprintln(log, "== trigger: "+msg)
	return msg
}

func mustWd() string {
	wd, _ := os.Getwd()
	return wd
}

// hostPath is the PATH steps get: the host's, behind a directory of the
// run holding mlc (scripts may call it, as they can in a generated job,
// which installs it) and, when the host has only python3 (Debian, Ubuntu),
// a python command: scripts written for python images say python.
func hostPath(lookupEnv func(string) (string, bool), shims, mlc string) (string, error) {
	path, _ := lookupEnv("PATH")
	if err := os.MkdirAll(shims, 0o755); err != nil {
		return "", err
	}
	links := map[string]string{}
	if mlc != "" {
		if abs, err := filepath.Abs(mlc); err == nil {
			links["mlc"] = abs
		}
	}
	if lookPath(path, "python") == "" {
		if python3 := lookPath(path, "python3"); python3 != "" {
			links["python"] = python3
		}
	}
	for name, target := range links {
		link := filepath.Join(shims, name)
		os.Remove(link) // a previous run's link may name another binary
		if err := os.Symlink(target, link); err != nil {
			return "", err
		}
	}
	return shims + string(filepath.ListSeparator) + path, nil
}

// lookPath finds an executable named name in the directories of path.
func lookPath(path, name string) string {
	for _, dir := range filepath.SplitList(path) {
		file := filepath.Join(dir, name)
		if st, err := os.Stat(file); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return file
		}
	}
	return ""
}

// keyPair is the local store's cosign key pair: local runs never sign
// with the host's keys, and verify steps check against this public key.
type keyPair struct {
	private, public []byte
	password        string
}

// newKeys generates a key pair with a random password.
func newKeys() (keyPair, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return keyPair{}, err
	}
	password := hex.EncodeToString(b)
	keys, err := cosign.GenerateKeyPair(func(bool) ([]byte, error) { return []byte(password), nil })
	if err != nil {
		return keyPair{}, fmt.Errorf("generating the run's signing key: %w", err)
	}
	return keyPair{private: keys.PrivateBytes, public: keys.PublicBytes, password: password}, nil
}

// Files of a key pair in the run's keys directory.
const (
	privateKeyFile = "cosign.key"
	publicKeyFile  = "cosign.pub"
	passwordFile   = "password"
)

// loadKeys reads the key pair a run saved: a resumed run keeps its keys,
// so its earlier signatures still verify.
func loadKeys(dir string) (keyPair, error) {
	var k keyPair
	var pass []byte
	for name, dst := range map[string]*[]byte{privateKeyFile: &k.private, publicKeyFile: &k.public, passwordFile: &pass} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			return keyPair{}, fmt.Errorf("the run's signing keys: %w", err)
		}
		*dst = b
	}
	k.password = string(pass)
	return k, nil
}

// save writes the key pair into dir, readable by the owner only.
func (k keyPair) save(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for name, data := range map[string][]byte{privateKeyFile: k.private, publicKeyFile: k.public, passwordFile: []byte(k.password)} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			return err
		}
	}
	return nil
}
