package kube

// rbac/v1 and the ServiceAccount a target's pods run as.

const rbacGroup = "rbac.authorization.k8s.io"

type ServiceAccount struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ObjectMeta `yaml:"metadata"`
	// AutomountServiceAccountToken false: pods running as this account
	// get no API token unless they ask for one.
	AutomountServiceAccountToken *bool `yaml:"automountServiceAccountToken,omitempty"`
}

// TokenSecret asks Kubernetes for a long-lived token of the account
// meta.Name, in a Secret named NAME.service-account-token: Argo mounts that
// Secret into its own containers when pods get no token of their own
// (automountServiceAccountToken: false with executor.serviceAccountName),
// and Kubernetes 1.24+ no longer makes one by itself.
func TokenSecret(meta ObjectMeta) Secret {
	account := meta.Name
	meta.Name += ".service-account-token"
	meta.Annotations = map[string]string{"kubernetes.io/service-account.name": account}
	return Secret{APIVersion: "v1", Kind: "Secret", Metadata: meta, Type: "kubernetes.io/service-account-token"}
}

type Secret struct {
	APIVersion string     `yaml:"apiVersion"`
	Kind       string     `yaml:"kind"`
	Metadata   ObjectMeta `yaml:"metadata"`
	Type       string     `yaml:"type"`
}

// Tokenless is a ServiceAccount without a Role whose token is not mounted:
// what pods running user code run as, so a script cannot reach the API
// (start a run under another account, read the pipeline's Secret).
func Tokenless(meta ObjectMeta) ServiceAccount {
	no := false
	return ServiceAccount{APIVersion: "v1", Kind: "ServiceAccount", Metadata: meta, AutomountServiceAccountToken: &no}
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
