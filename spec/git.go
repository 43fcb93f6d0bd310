package spec

import "strings"

// Git says how versions are read from git and which generated files the
// repository commits (#Git).
type Git struct {
	Channels Channels `json:"channels"`
	// Generated are the targets whose files the repository commits, in
	// Dirs (target → directory relative to the repository root).
	Generated []string          `json:"generated,omitempty"`
	Dirs      map[string]string `json:"dirs,omitempty"`
}

// Channels sort a build into release, beta or (anything else) alpha.
type Channels struct {
	Release ChannelRule `json:"release"`
	Beta    ChannelRule `json:"beta"`
}

// ChannelRule matches a tag at HEAD or the branch built (GitHub-style
// filter patterns).
type ChannelRule struct {
	Tags     []string `json:"tags,omitempty"`
	Branches []string `json:"branches,omitempty"`
}

// DefaultChannels are the schema's defaults: a v* tag is a release,
// main is beta.
func DefaultChannels() Channels {
	return Channels{Release: ChannelRule{Tags: []string{"v*"}}, Beta: ChannelRule{Branches: []string{"main"}}}
}

// TagPatterns are the tags that name versions, for describe.
func (c Channels) TagPatterns() []string {
	return append(append([]string(nil), c.Release.Tags...), c.Beta.Tags...)
}

// GitOps is an environment's manifest in a GitOps repository (#GitOps).
type GitOps struct {
	Repo        string `json:"repo"`
	Branch      string `json:"branch"`
	File        string `json:"file"`
	Image       string `json:"image,omitempty"`
	Field       string `json:"field,omitempty"`
	TokenSecret string `json:"token_secret,omitempty"`
}

// Local reports whether Repo is a repository on this machine's disk
// (file://… or a path), which is pushed to without credentials: its
// deploy step is given no token.
func (g *GitOps) Local() bool {
	return strings.HasPrefix(g.Repo, "file://") || strings.HasPrefix(g.Repo, "/") || strings.HasPrefix(g.Repo, ".")
}
