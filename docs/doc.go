// Package docs holds the user's reference of the policy format (policy.md)
// and the JSON Schema generated from the policy types
// (poolpolicy.schema.json). Its tests keep policy.md true: every field of
// the Go types is described and set in an example, and every YAML example
// loads with the policy engine, or fails with exactly the output shown.
package docs
