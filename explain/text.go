package explain

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/poolpatch/poolpatch/policy"
)

// WriteText prints the report as short lines for a terminal, in the order
// of the report: policies, settings, Nodes, NodePools, verdict.
func (r Report) WriteText(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, args ...any) { _, _ = fmt.Fprintf(tw, format, args...) }
	p("pod %s", r.Pod)
	if r.BoundTo != "" {
		p(" (bound to %s)", r.BoundTo)
	}
	p("\npolicies:\n")
	if len(r.Policies) == 0 {
		p("  none\n")
	}
	for _, m := range r.Policies {
		p("  %s\t%s\t%s\n", policyName(m), matchWord(m), criterionText(m))
	}
	p("settings:\n")
	if r.Excluded != "" {
		p("  not mutated: %s\n", r.Excluded)
	}
	if len(r.Settings) == 0 && r.Excluded == "" {
		p("  nothing added or skipped\n")
	}
	for _, s := range r.Settings {
		if s.Kind == "warning" {
			p("  warning\t%s\n", s.Detail)
			continue
		}
		p("  %s\t%s %s: %s\n", s.Kind, s.Policy, s.Setting, s.Detail)
	}
	p("nodes by %s and %s, best first:\n", r.PoolKey, r.ZoneKey)
	for _, n := range r.Nodes {
		p("  %s\t%s\t%s\t%s\n", n.Pool, n.Zone, n.Node, nodeText(n))
	}
	if len(r.NodePools) > 0 {
		p("nodepools, in the order Karpenter would try them:\n")
		for _, np := range r.NodePools {
			p("  %s\t%s\tweight %d\t%s\n", orderText(np), np.NodePool, np.Weight, nodePoolText(np))
		}
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if r.SchedulerSaid != "" {
		if _, err := fmt.Fprintf(w, "scheduler said: %s\n", r.SchedulerSaid); err != nil {
			return fmt.Errorf("write report: %w", err)
		}
	}
	if _, err := fmt.Fprintf(w, "verdict: %s\n", r.Verdict.Text); err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	return nil
}

func policyName(m policy.PolicyMatch) string {
	if m.Mode == policy.ModeAudit {
		return m.Policy + " (Audit)"
	}
	return m.Policy
}

func matchWord(m policy.PolicyMatch) string {
	if m.Matched {
		return "matched"
	}
	return "not matched"
}

func criterionText(m policy.PolicyMatch) string {
	if m.Detail == "" {
		return "by " + m.Criterion
	}
	if m.Matched {
		return "by " + m.Criterion + ": " + m.Detail
	}
	return m.Criterion + " " + m.Detail + " does not hold"
}

func nodeText(n NodeLine) string {
	switch {
	case n.Best:
		return fmt.Sprintf("feasible, NodeAffinity %d (raw %d), best", n.Score, n.Raw)
	case n.Feasible:
		return fmt.Sprintf("feasible, NodeAffinity %d (raw %d)", n.Score, n.Raw)
	}
	return "no: " + n.Reason
}

func orderText(np NodePoolLine) string {
	if np.Order == 0 {
		return "-"
	}
	return fmt.Sprintf("%d.", np.Order)
}

func nodePoolText(np NodePoolLine) string {
	own := ""
	if np.OwnNode != "" {
		own = " (its own Node " + np.OwnNode + " not counted)"
	}
	switch {
	case !np.Possible:
		return "cannot: " + np.Reason + own
	case np.Preference != "":
		return "can provision, keeping " + np.Preference + own
	}
	return "can provision, every preference relaxed" + own
}
