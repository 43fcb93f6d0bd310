package kube

// rbac/v1 and the ServiceAccount a target's pods run as.

const rbacGroup = "rbac.authorization.k8s.io"

type ServiceAccount struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ObjectMeta `yaml:"metadata"`
}

type Role struct {
	APIVersion string       `yaml:"apiVersion"`
	Kind       string       `yaml:"kind"`
	Metadata   ObjectMeta   `yaml:"metadata"`
	Rules      []PolicyRule `yaml:"rules"`
}

type PolicyRule struct {
	APIGroups []string `yaml:"apiGroups"`
	Resources []string `yaml:"resources"`
	Verbs     []string `yaml:"verbs"`
}

type RoleBinding struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ObjectMeta `yaml:"metadata"`
	RoleRef    RoleRef    `yaml:"roleRef"`
	Subjects   []Subject  `yaml:"subjects"`
}

type RoleRef struct {
	APIGroup string `yaml:"apiGroup"`
	Kind     string `yaml:"kind"`
	Name     string `yaml:"name"`
}

type Subject struct {
	Kind string `yaml:"kind"`
	Name string `yaml:"name"`
}

// Account is a ServiceAccount, a Role granting rules in its namespace and
// nothing else, and the RoleBinding between them, all named meta.Name.
func Account(meta ObjectMeta, rules ...PolicyRule) []any {
	return []any{
		ServiceAccount{APIVersion: "v1", Kind: "ServiceAccount", Metadata: meta},
		Role{APIVersion: rbacGroup + "/v1", Kind: "Role", Metadata: meta, Rules: rules},
		RoleBinding{
			APIVersion: rbacGroup + "/v1", Kind: "RoleBinding", Metadata: meta,
			RoleRef:  RoleRef{APIGroup: rbacGroup, Kind: "Role", Name: meta.Name},
			Subjects: []Subject{{Kind: "ServiceAccount", Name: meta.Name}},
		},
	}
}
