package artifact

import (
	"errors"
	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-git/go-git/v5"
)

// sourceInfo is where pushed content came from. Created is the commit
// time, never the clock, so pushing the same commit twice gives the same
// manifest digest.
type sourceInfo struct {
	Revision string
	Source   string
	Created  time.Time // zero when unknown
}

// annotations returns the standard OCI annotations for the known fields.
func (s sourceInfo) annotations() map[string]string {
	a := map[string]string{}
	if s.Revision != "" {
		a[AnnotationRevision] = s.Revision
	}
	if s.Source != "" {
		a[AnnotationSource] = s.Source
	}
	if !s.Created.IsZero() {
		a[AnnotationCreated] = s.Created.UTC().Format(time.RFC3339)
	}
	return a
}

// gitSource reads HEAD of the git repository containing dir. Outside a
// repository the fields stay empty; $SOURCE_DATE_EPOCH (the reproducible
// builds convention) then sets Created.
func gitSource(dir string) (sourceInfo, error) {
	var info sourceInfo
	if epoch := os.Getenv("SOURCE_DATE_EPOCH"); epoch != "" {
		sec, err := strconv.ParseInt(epoch, 10, 64)
		if err != nil {
			return info, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970", epoch)
		}
		info.Created = time.Unix(sec, 0)
	}
	repo, err := git.PlainOpenWithOptions(dir, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return info, nil
	}
	if err != nil {
		return info, fmt.Errorf("reading git repository of %s: %w", dir, err)
	}
	head, err := repo.Head()
	if err != nil {
		return info, nil // no commit yet
	}
	info.Revision = head.Hash().String()
	if commit, err := repo.CommitObject(head.Hash()); err == nil && info.Created.IsZero() {
		info.Created = commit.Committer.When
	}
	if origin, err := repo.Remote("origin"); err == nil && len(origin.Config().URLs) > 0 {
		info.Source = publicURL(origin.Config().URLs[0])
	}
	return info, nil
}

// publicURL turns a git remote into a browsable URL without credentials:
// git@github.com:acme/ml.git → https://github.com/acme/ml.
func publicURL(remote string) string {
	if host, repoPath, ok := strings.Cut(strings.TrimPrefix(remote, "ssh://"), ":"); ok && strings.HasPrefix(host, "git@") && !strings.Contains(host, "/") {
		remote = "https://" + strings.TrimPrefix(host, "git@") + "/" + repoPath
	}
	if u, err := url.Parse(remote); err == nil && u.Host != "" {
		u.User = nil
		if u.Scheme == "ssh" || u.Scheme == "git" {
			u.Scheme = "https"
		}
		remote = u.String()
	}
	return strings.TrimSuffix(remote, ".git")
}
