// Command poolpatch is the pool-policy admission webhook and its offline CLI.
//
//	poolpatch serve [flags]                      the admission webhook (package webhook)
//	poolpatch mutate -p POLICIES -f MANIFEST     preview what policies do to a manifest
//	poolpatch explain ...                        where a pod can run, and why (package explain)
//	poolpatch validate FILE...                   check policy files, file:line:col per mistake
//	poolpatch version
//
// main only parses flags and dispatches; the engine is package policy, the
// manifest handling package internal/manifest.
package main
