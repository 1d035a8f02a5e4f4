package policy

import (
	"gopkg.in/yaml.v3"
)

// Bounds on what aliases may bring into one policy set (all its files, or
// all keys of its ConfigMap). An anchor and its aliases share a value; repeated, they multiply
// it: a few kilobytes that alias an aliased list thousands of times stand
// for millions of values, all well typed. The loader counts every node and
// byte it reaches through an alias, and refuses the source at the alias
// that crosses a bound, so that no input costs more than its own size plus
// these.
const (
	// MaxAliasNodes is how many nodes aliases may expand to in one set.
	MaxAliasNodes = 10_000
	// MaxAliasBytes is how many bytes of scalar text aliases may expand to
	// in one set.
	MaxAliasBytes = 1 << 20
	// maxNesting is deeper than any policy value goes (a selector's values
	// sit at depth 7): nesting past it is refused before its paths grow.
	maxNesting = 20
)

// aliasBudget counts what aliases expanded to in one set.
type aliasBudget struct {
	nodes, bytes int
	// depth is how many aliases the walk is inside now; at counts only
	// while it is above zero.
	depth int
	// last is the outermost alias being expanded (the one written in the
	// document's own flow), where a crossed bound is reported.
	last *yaml.Node
	// exceeded is set once a bound is crossed: the source is then refused
	// and not walked any further.
	exceeded bool
}

// enter is called for every node the decoder reaches. It follows an alias
// to its anchored node and charges the budget for every node reached
// inside an alias. It returns the node to decode, a function to call when
// done with it, and false once the budget is spent (an error is then
// reported once, at the alias).
func (b *aliasBudget) enter(d *decoder, n *yaml.Node) (*yaml.Node, func(), bool) {
	if b.exceeded {
		return n, noop, false
	}
	if d.nesting >= maxNesting {
		d.errs.add(d.pos(n), "nested deeper than %d levels: no policy value is", maxNesting)
		b.exceeded = true
		return n, noop, false
	}
	d.nesting++
	leave := func() { d.nesting-- }
	if n.Kind == yaml.AliasNode {
		if n.Alias == nil {
			d.errs.add(d.pos(n), "alias %s to no anchor", quote(n.Value))
			return n, leave, false
		}
		if b.depth == 0 {
			b.last = n
		}
		b.depth++
		leave = func() { b.depth--; d.nesting-- }
		n = n.Alias
	}
	if b.depth > 0 && !b.charge(n) {
		d.errs.add(d.pos(b.last), "aliases expand to more than %d nodes or %d bytes in this policy set: refused (an anchor shares a value, it does not repeat it)",
			MaxAliasNodes, MaxAliasBytes)
		return n, leave, false
	}
	return n, leave, true
}

// charge counts one node reached through an alias; it returns false when
// the node crosses a bound.
func (b *aliasBudget) charge(n *yaml.Node) bool {
	b.nodes++
	b.bytes += len(n.Value)
	if b.nodes > MaxAliasNodes || b.bytes > MaxAliasBytes {
		b.exceeded = true
	}
	return !b.exceeded
}

func noop() {}
