// Package controller holds poolpatch's writers: the parts of `poolpatch
// serve` that write to the cluster rather than answer admission requests.
// Today that is the headroom writer, which keeps one PodTemplate and one
// CapacityBuffer (or one placeholder Deployment) per policy with headroom.
//
// Writers never decide anything themselves: the policy package says what a
// headroom chunk is, and this package carries it out. Only the leader writes
// (a Lease, see Elector); a writer's error is an Event, a metric and a log
// line, retried with back-off, and never stops or slows admission.
package controller
