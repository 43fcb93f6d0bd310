// Package gitops reads versions and changes from git and deploys by
// commit. It uses go-git only: no git binary is run, not even for local
// remotes (file:// and plain paths are served in-process).
package gitops

import (
	"github.com/go-git/go-billy/v5/osfs"
	"github.com/go-git/go-git/v5/plumbing/cache"
	"github.com/go-git/go-git/v5/plumbing/storer"
	"github.com/go-git/go-git/v5/plumbing/transport"
	"github.com/go-git/go-git/v5/plumbing/transport/client"
	"github.com/go-git/go-git/v5/plumbing/transport/server"
	"github.com/go-git/go-git/v5/storage/filesystem"
)

// go-git's file transport runs git-upload-pack and git-receive-pack;
// its in-process server does the same job without the git binary.
func init() { client.InstallProtocol("file", server.NewServer(localLoader{})) }

// localLoader opens a bare repository or a work tree's .git (go-git's
// own loader reads a work tree's directory as if it were .git).
type localLoader struct{}

func (localLoader) Load(ep *transport.Endpoint) (storer.Storer, error) {
	fs := osfs.New(ep.Path)
	if _, err := fs.Stat("config"); err != nil {
		if _, err := fs.Stat(".git/config"); err != nil {
			return nil, transport.ErrRepositoryNotFound
		}
		if fs, err = fs.Chroot(".git"); err != nil {
			return nil, err
		}
	}
	return filesystem.NewStorage(fs, cache.NewObjectLRUDefault()), nil
}
