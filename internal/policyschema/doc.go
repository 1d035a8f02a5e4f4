// Package policyschema generates the JSON Schema (draft-07) of a PoolPolicy
// document from the Go types of package policy, by reflection: poolpatch's
// own types by their yaml tags, the Kubernetes types embedded in a policy
// (tolerations, label selectors, quantities) by their json tags, as the
// loader decodes them. A field added to the types appears in the schema the
// next time it is generated; rules.go adds what types cannot say (weights
// 1-100, enums, label syntax, cross-field rules) for the fields it knows.
//
// The schema is committed twice: docs/poolpolicy.schema.json, for editors
// (yaml-language-server's `# yaml-language-server: $schema=...` line), and
// the `policies` value of charts/poolpatch/values.schema.json, for helm.
// TestSchemaIsCurrent fails when either is stale; `make schema` rewrites
// both. `poolpatch schema` prints the schema of the running binary.
//
// The schema is never stricter than `poolpatch validate` (an editor must not
// flag a policy the webhook accepts), and it rejects every unknown field,
// wrong type and out-of-range value it can express; the tests check both
// against the testdata policies and the hostile corpus. What it cannot
// express (duplicate names and keys, YAML aliases and tags, the total size of
// annotations) only `poolpatch validate` reports.
package policyschema
