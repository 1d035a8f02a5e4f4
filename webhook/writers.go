package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-logr/logr"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
)

// ErrWritersNeedCluster is returned when writers are enabled without a cluster.
var ErrWritersNeedCluster = errors.New("the writers need a cluster")

// WriterEnv is what the server hands its writers: the cluster, the policies
// serving now, and the Event recorder.
type WriterEnv struct {
	Config       *rest.Config
	Policies     PolicySource
	Events       record.EventRecorder
	Log          logr.Logger
	PrepullImage string
}

// WritersFunc runs poolpatch's writers until ctx ends (Options.Writers).
type WritersFunc func(ctx context.Context, env WriterEnv)

// startWriters runs the writers beside the webhook. They return nothing and
// a panic is recovered, so no writer can stop the other components: in the
// error group a component's error ends them all.
func startWriters(ctx context.Context, start func(func() error), opts Options, store *Store, c *cluster, log logr.Logger) error {
	if opts.Writers == nil {
		return nil
	}
	if c == nil {
		return fmt.Errorf("%w (--kubeconfig or in-cluster)", ErrWritersNeedCluster)
	}
	env := WriterEnv{Config: c.config, Policies: store, Events: c.recorder, Log: log.WithName("writers"),
		PrepullImage: opts.PrepullHelperImage}
	start(func() error {
		defer func() {
			if r := recover(); r != nil {
				log.Error(fmt.Errorf("panic: %v", r), "writers stopped; admission goes on")
			}
		}()
		opts.Writers(ctx, env)
		return nil
	})
	return nil
}
