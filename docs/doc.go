// Package docs holds the user's reference of the policy format (policy.md)
// and the JSON Schema generated from the policy types
// (poolpolicy.schema.json). Its tests keep policy.md true: every field of
// the Go types is described and set in an example; every YAML example loads
// with the policy engine, or fails with exactly the output shown, and the
// schema agrees; and every mistake of type or field name made in the
// complete example is rejected by both the engine and the schema.
package docs
