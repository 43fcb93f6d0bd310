// Package graph draws the job graph of a compiled pipeline as Mermaid or
// Graphviz DOT, for READMEs, reviews and `mlc graph`.
package graph

import (
	"fmt"
	"strings"

	"github.com/mlc-project/mlc/ir"
)

// Mermaid renders each workflow as a Mermaid flowchart subgraph.
func Mermaid(p *ir.Pipeline) string {
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, w := range p.Workflows {
		fmt.Fprintf(&b, "  subgraph %s[%q]\n", mermaidID(w.Name, ""), w.Name)
		for _, j := range w.Jobs {
			label := j.Name
			if j.Approval != nil {
				label += " (approval)"
			}
			fmt.Fprintf(&b, "    %s[%q]\n", mermaidID(w.Name, j.ID), label)
		}
		b.WriteString("  end\n")
		for _, j := range w.Jobs {
			for _, n := range j.Needs {
				fmt.Fprintf(&b, "  %s --> %s\n", mermaidID(w.Name, n), mermaidID(w.Name, j.ID))
			}
		}
	}
	return b.String()
}

// DOT renders the workflows as Graphviz clusters.
func DOT(p *ir.Pipeline) string {
	var b strings.Builder
	fmt.Fprintf(&b, "digraph %q {\n  rankdir=LR;\n  node [shape=box];\n", p.Name)
	for i, w := range p.Workflows {
		fmt.Fprintf(&b, "  subgraph cluster_%d {\n    label=%q;\n", i, w.Name)
		for _, j := range w.Jobs {
			shape := ""
			if j.Approval != nil {
				shape = ", style=bold"
			}
			fmt.Fprintf(&b, "    %q [label=%q%s];\n", w.Name+"/"+j.ID, j.Name, shape)
		}
		b.WriteString("  }\n")
		for _, j := range w.Jobs {
			for _, n := range j.Needs {
				fmt.Fprintf(&b, "  %q -> %q;\n", w.Name+"/"+n, w.Name+"/"+j.ID)
			}
		}
	}
	b.WriteString("}\n")
	return b.String()
}

// mermaidID makes a node ID Mermaid accepts: letters, digits, underscores.
func mermaidID(workflow, job string) string {
	id := workflow
	if job != "" {
		id += "__" + job
	}
	return strings.NewReplacer("-", "_", ".", "_").Replace(id)
}
