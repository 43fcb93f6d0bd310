package compiler

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// errAt is an error at the spec path a job was expanded from.
func (b *builder) errAt(jobID, msg, hint string) *Error {
	path := b.origin[jobID]
	return &Error{Pos: b.spec.pos(path...), Path: strings.Join(path, "."), Msg: msg, Hint: hint}
}

// checkDuplicates: job IDs are unique within a workflow.
func checkDuplicates(p *ir.Pipeline, b *builder) Errors {
	var errs Errors
	for _, w := range p.Workflows {
		seen := map[string]bool{}
		for _, j := range w.Jobs {
			if seen[j.ID] {
				errs = append(errs, b.errAt(j.ID, fmt.Sprintf("job %s is defined twice in workflow %s", j.ID, w.Name), "rename one of them"))
			}
			seen[j.ID] = true
		}
	}
	return errs
}

// checkNeeds: every dependency names a job of the same workflow.
func checkNeeds(p *ir.Pipeline, b *builder) Errors {
	var errs Errors
	for _, w := range p.Workflows {
		ids := jobIDs(w)
		for _, j := range w.Jobs {
			for _, n := range j.Needs {
				if !ids[n] {
					errs = append(errs, b.errAt(j.ID, fmt.Sprintf("job %s runs after %q, which is not a job of workflow %s", j.ID, n, w.Name),
						"use a section reference such as models.NAME, or a job ID that `mlc graph` lists"))
				}
			}
		}
	}
	return errs
}

// checkCycles: the job graph of each workflow is acyclic. A cycle is
// reported once, with its path.
func checkCycles(p *ir.Pipeline, b *builder) Errors {
	var errs Errors
	for _, w := range p.Workflows {
		if cycle := findCycle(w); cycle != nil {
			errs = append(errs, b.errAt(cycle[0], "dependency cycle: "+cyclePath(cycle),
				"break the cycle: check the after fields of these environments or steps"))
		}
	}
	return errs
}

// checkReachable: every workflow has a trigger, so none of its jobs is dead.
func checkReachable(p *ir.Pipeline, b *builder) Errors {
	var errs Errors
	for _, w := range p.Workflows {
		t := w.Triggers
		if t.Push == nil && t.PullRequest == nil && len(t.Schedules) == 0 && !t.Manual && len(w.Jobs) > 0 {
			errs = append(errs, &Error{Pos: b.spec.pos("triggers"), Path: "triggers",
				Msg:  fmt.Sprintf("nothing starts workflow %s, so its %d jobs never run", w.Name, len(w.Jobs)),
				Hint: "add a push or schedule trigger, or set manual: true"})
		}
	}
	return errs
}

func jobIDs(w *ir.Workflow) map[string]bool {
	ids := make(map[string]bool, len(w.Jobs))
	for _, j := range w.Jobs {
		ids[j.ID] = true
	}
	return ids
}

// findCycle returns a cycle of job IDs (first repeated at the end), or nil.
func findCycle(w *ir.Workflow) []string {
	byID := make(map[string]*ir.Job, len(w.Jobs))
	for _, j := range w.Jobs {
		byID[j.ID] = j
	}
	const (
		unvisited = iota
		onStack
		done
	)
	state := map[string]int{}
	var stack []string
	var visit func(id string) []string
	visit = func(id string) []string {
		state[id] = onStack
		stack = append(stack, id)
		j := byID[id]
		if j != nil {
			for _, n := range j.Needs {
				switch state[n] {
				case onStack:
					for i, s := range stack {
						if s == n {
							return append(append([]string{}, stack[i:]...), n)
						}
					}
				case unvisited:
					if c := visit(n); c != nil {
						return c
					}
				}
			}
		}
		stack = stack[:len(stack)-1]
		state[id] = done
		return nil
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		if state[id] == unvisited {
			if c := visit(id); c != nil {
				return c
			}
		}
	}
	return nil
}

// sortJobs orders jobs topologically, breaking ties by ID, so output is
// stable and readable top to bottom. The graph must be acyclic.
func sortJobs(w *ir.Workflow) {
	indeg := map[string]int{}
	dependants := map[string][]string{}
	byID := map[string]*ir.Job{}
	for _, j := range w.Jobs {
		byID[j.ID] = j
		indeg[j.ID] += 0
		for _, n := range j.Needs {
			indeg[j.ID]++
			dependants[n] = append(dependants[n], j.ID)
		}
	}
	// The smallest ready ID first, from a heap: a sorted slice cost a copy
	// per insertion, quadratic with thousands of jobs ready at once.
	ready := &idHeap{}
	for id, d := range indeg {
		if d == 0 {
			*ready = append(*ready, id)
		}
	}
	heap.Init(ready)
	sorted := make([]*ir.Job, 0, len(w.Jobs))
	for ready.Len() > 0 {
		id := heap.Pop(ready).(string)
		sorted = append(sorted, byID[id])
		for _, d := range dependants[id] {
			if indeg[d]--; indeg[d] == 0 {
				heap.Push(ready, d)
			}
		}
	}
	w.Jobs = sorted
}

// idHeap is a min-heap of job IDs (container/heap).
type idHeap []string

func (h idHeap) Len() int           { return len(h) }
func (h idHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h idHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *idHeap) Push(x any)        { *h = append(*h, x.(string)) }
func (h *idHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// cyclePath shows a cycle; a long one by its ends, so a 5,000-job cycle
// is a line, not 80 KB.
func cyclePath(cycle []string) string {
	const ends = 5
	if len(cycle) <= 3*ends {
		return strings.Join(cycle, " → ")
	}
	return fmt.Sprintf("%s → … (%d more) … → %s", strings.Join(cycle[:ends], " → "), len(cycle)-2*ends, strings.Join(cycle[len(cycle)-ends:], " → "))
}
