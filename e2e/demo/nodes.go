package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// showNodes prints the fake Nodes with their pool, zone and taints.
func (d *demo) showNodes(ctx context.Context) error {
	var nodes corev1.NodeList
	if err := d.env.Cluster.Client().List(ctx, &nodes); err != nil {
		return fmt.Errorf("list nodes: %w", err)
	}
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	_, _ = fmt.Fprintln(tw, "NODE\tPOOL\tZONE\tTAINTS")
	for _, n := range nodes.Items {
		var taints []string
		for _, t := range n.Spec.Taints {
			taints = append(taints, t.Key+"="+t.Value+":"+string(t.Effect))
		}
		_, _ = fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", n.Name, cluster.PoolOf(&n), cluster.ZoneOf(&n), orNone(strings.Join(taints, ",")))
	}
	_ = tw.Flush()
	d.table(b.String())
	d.say("special01 and fallback01 are dedicated pools: only pods that tolerate their taint may run there.")
	return nil
}

// orNone shows "none" for an empty cell.
func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
