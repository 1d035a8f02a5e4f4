package main

import (
	"context"
	"errors"
)

// runServe is replaced by the webhook wiring.
func runServe(ctx context.Context, args []string) error {
	return errors.New("serve is not wired yet")
}
