package main

import "context"

// runAPIServer measures sections 4 and the RSS figure of 5 (placeholder).
func runAPIServer(ctx context.Context, e *env, r *Report) error { return nil }
