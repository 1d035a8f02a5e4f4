//go:build tools

// Package tools pins the autoscaler commands the end-to-end suite builds into
// bin/: Karpenter with its kwok cloud provider (sigs.k8s.io/karpenter/kwok)
// and the KWOK controller that plays the kubelet for the Nodes Karpenter
// creates. A module of its own because Karpenter v1.15 needs a newer Go than
// the main module (the Makefile builds it with GOTOOLCHAIN=go1.27.3) and a
// different set of k8s.io versions. The blank imports keep `go mod tidy` from
// dropping them.
package tools

import (
	_ "sigs.k8s.io/karpenter/kwok"
	_ "sigs.k8s.io/kwok/cmd/kwok"
)
