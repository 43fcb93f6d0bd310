package compiler

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// A split delivery (split: "model") is one workflow per group of models:
// models, apps, environments and steps are grouped by the jobs they need
// of each other (an app needs its model, an environment its app and the
// environment it promotes from, a step what it runs after); datasets and
// code are not grouped but copied into each group needing them, so one
// dataset trained on by every model does not make one group. Each group's
// workflow is named after its first model (or, for steps needing no model,
// "step-" and the first step): "<pipeline>-delivery-<model>".

// splitDelivery is the split value that compiles one workflow per group.
const splitDelivery = "model"

// deliveryWorkflows are the spec's delivery workflows: one, or one per
// group when the spec splits its delivery.
func (b *builder) deliveryWorkflows() []*ir.Workflow {
	units := b.deliveryUnits()
	jobs := map[string][]*ir.Job{} // unit → its jobs, until a group takes them
	var all []*ir.Job
	for _, u := range units {
		jobs[u] = b.unitJobs(u)
		all = append(all, jobs[u]...)
	}
	if b.spec.Split != splitDelivery {
		return []*ir.Workflow{b.deliveryWorkflow(ir.WorkflowDelivery, all)}
	}
	rank := map[string]int{}
	for i, u := range units {
		rank[u] = i
	}
	groups := deliveryGroups(all, b.origin)
	if len(groups) == 0 { // datasets and code alone: nothing to split
		return []*ir.Workflow{b.deliveryWorkflow(ir.WorkflowDelivery, all)}
	}
	b.groups = groups
	out := make([]*ir.Workflow, len(groups))
	for i, g := range groups {
		us := slices.Collect(maps.Keys(g.units))
		slices.SortFunc(us, func(x, y string) int { return rank[x] - rank[y] })
		var js []*ir.Job
		for _, u := range us {
			if jobs[u] == nil { // a copied unit another group took: its own jobs
				jobs[u] = b.unitJobs(u)
			}
			js = append(js, jobs[u]...)
			jobs[u] = nil
		}
		out[i] = b.deliveryWorkflow(ir.WorkflowDelivery+"-"+g.name, js)
	}
	return out
}

type deliveryGroup struct {
	name  string
	units map[string]bool // "section.name" of every job the group's workflow holds
}

// unitOf is the spec entry a job was expanded from: "models.scorer".
func unitOf(origin []string) string {
	if len(origin) < 2 {
		return strings.Join(origin, ".")
	}
	return origin[0] + "." + origin[1]
}

// copied reports whether a unit's jobs go into every group needing them.
func copied(unit string) bool {
	return strings.HasPrefix(unit, "datasets.") || strings.HasPrefix(unit, "code.")
}

// deliveryGroups partitions the jobs of the whole delivery (origin: each
// job's spec path) into groups sorted by name, each with the units its jobs
// need; units no group needs go to the first.
func deliveryGroups(jobs []*ir.Job, origin map[string][]string) []deliveryGroup {
	unit := map[string]string{} // job ID → unit
	for _, j := range jobs {
		unit[j.ID] = unitOf(origin[j.ID])
	}
	// Union-find over the units that are not copied.
	parent := map[string]string{}
	var find func(string) string
	find = func(u string) string {
		if p, ok := parent[u]; ok && p != u {
			r := find(p)
			parent[u] = r
			return r
		}
		parent[u] = u
		return u
	}
	for _, j := range jobs {
		if u := unit[j.ID]; !copied(u) {
			find(u)
			for _, n := range j.Needs {
				if nu, ok := unit[n]; ok && !copied(nu) {
					parent[find(nu)] = find(u)
				}
			}
		}
	}
	members := map[string][]string{} // root → units
	for _, u := range slices.Sorted(maps.Keys(parent)) {
		r := find(u)
		members[r] = append(members[r], u)
	}
	// Each group holds its units and, transitively, what their jobs need.
	needs := map[string][]string{} // unit → units its jobs need
	for _, j := range jobs {
		for _, n := range j.Needs {
			if nu, ok := unit[n]; ok && nu != unit[j.ID] {
				needs[unit[j.ID]] = append(needs[unit[j.ID]], nu)
			}
		}
	}
	var groups []deliveryGroup
	placed := map[string]bool{}
	named := map[string]int{} // group name → groups so named
	for _, us := range slices.SortedFunc(maps.Values(members), func(a, c []string) int { return strings.Compare(a[0], c[0]) }) {
		name := groupName(us)
		// A model named like a group of steps ("step-x"): the later one
		// by its first entry gets a number.
		if named[name]++; named[name] > 1 {
			name = fmt.Sprintf("%s-%d", name, named[name])
		}
		g := deliveryGroup{name: name, units: map[string]bool{}}
		var visit func(string)
		visit = func(u string) {
			if g.units[u] {
				return
			}
			g.units[u], placed[u] = true, true
			for _, n := range needs[u] {
				visit(n)
			}
		}
		for _, u := range us {
			visit(u)
		}
		groups = append(groups, g)
	}
	slices.SortFunc(groups, func(a, c deliveryGroup) int { return strings.Compare(a.name, c.name) })
	if len(groups) > 0 {
		for _, u := range unit {
			if !placed[u] {
				groups[0].units[u] = true
			}
		}
	}
	return groups
}

// groupName names a group after its first model, or its first step.
func groupName(units []string) string {
	for _, u := range units { // sorted: "models." before "steps."
		if m, ok := strings.CutPrefix(u, "models."); ok {
			return m
		}
	}
	for _, u := range units {
		if s, ok := strings.CutPrefix(u, "steps."); ok {
			return "step-" + s
		}
	}
	return strings.ReplaceAll(units[0], ".", "-")
}

// deliveriesWith are the names of the delivery workflows holding job id
// (all of them when none does).
func (b *builder) deliveriesWith(id string) []string {
	var names, all []string
	for _, w := range b.deliveries {
		all = append(all, w.Name)
		if slices.ContainsFunc(w.Jobs, func(j *ir.Job) bool { return j.ID == id }) {
			names = append(names, w.Name)
		}
	}
	if len(names) == 0 {
		return all
	}
	return names
}

// ciWorkflows check pull requests: one workflow, or with a split delivery
// one per group, holding the datasets and code whose first group (by name)
// it is (datasets no group needs go to the first, as does the generated
// files' check), so a pull request tests each once.
func (b *builder) ciWorkflows() []*ir.Workflow {
	s := b.spec
	if s.Triggers == nil || s.Triggers.PullRequest == nil {
		return nil
	}
	datasets, code := slices.Sorted(maps.Keys(s.Datasets)), slices.Sorted(maps.Keys(s.Code))
	if len(b.groups) == 0 {
		if w := b.ciWorkflow(ir.WorkflowCI, datasets, code, true); w != nil {
			return []*ir.Workflow{w}
		}
		return nil
	}
	owner := func(unit string) string {
		for _, g := range b.groups {
			if g.units[unit] {
				return g.name
			}
		}
		return b.groups[0].name
	}
	ownedData, ownedCode := map[string][]string{}, map[string][]string{}
	for _, d := range datasets {
		o := owner("datasets." + d)
		ownedData[o] = append(ownedData[o], d)
	}
	for _, c := range code {
		o := owner("code." + c)
		ownedCode[o] = append(ownedCode[o], c)
	}
	var out []*ir.Workflow
	for i, g := range b.groups {
		if w := b.ciWorkflow(ir.WorkflowCI+"-"+g.name, ownedData[g.name], ownedCode[g.name], i == 0); w != nil {
			out = append(out, w)
		}
	}
	return out
}
