// Package policy is poolpatch's engine: it loads PoolPolicy documents strictly,
// with the file, line and column of every mistake, compiles them into a Set,
// matches pods against them and mutates each pod as the policies say,
// returning the mutated pod, the JSON patch that makes the same change, and
// what changed and why.
//
// Load reports every mistake of a set at once (a value that does not decode
// does not hide the others), one line each, at most MaxErrorsPerSource per
// source, and bounds what YAML aliases may expand to (MaxAliasNodes,
// MaxAliasBytes), so that no input makes it slow or large.
//
// The package knows nothing of HTTP or admission: the webhook and the CLI are
// both thin callers of Load and Apply, so the offline preview and the live
// webhook cannot drift apart.
//
// Mutations follow two rules everywhere. The manifest wins: a mutator only adds
// what is missing and never changes a value the pod already sets. And every
// mutator is idempotent, so Apply(Apply(pod)) equals Apply(pod), which the
// webhook's reinvocationPolicy IfNeeded relies on.
//
// The engine owns its patch. Mutators write only through one writer, which
// copies a field of the input pod the first time it is written and records
// the RFC 6902 "add" operation of each write, below the paths the mutator
// declares. No pod is diffed: the patch is what the mutators did, relative to
// a pod or, with Result.PatchAt, to a pod template.
package policy
