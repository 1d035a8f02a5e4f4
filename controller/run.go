package controller

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/go-logr/logr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/record"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Writer is one leader-elected writer.
type Writer interface {
	// Name labels the writer's metrics and logs.
	Name() string
	// Run writes until ctx ends; it returns nothing because nothing a
	// writer meets may stop the server.
	Run(ctx context.Context)
}

// Env is what the writers get from the server they run in.
type Env struct {
	Config   *rest.Config
	Policies PolicySource
	Events   record.EventRecorder
	Log      logr.Logger
	// PrepullImage is the serve --prepull-helper-image, the default image
	// of the placeholders.
	PrepullImage string
}

// Run campaigns for the writers' Lease until ctx ends and runs the enabled
// writers while this replica leads. It returns nothing: a setup error is
// logged and counted, and the server it runs in goes on serving.
func Run(ctx context.Context, env Env, o Options) {
	if !o.Enabled() {
		return
	}
	log := env.Log
	writers, err := o.writers(env)
	if err != nil {
		writerErrors.WithLabelValues("all", ReasonWrite).Inc()
		log.Error(err, "writers not started")
		return
	}
	lock, err := NewLeaseLock(env.Config, env.Events, o.Namespace, o.LeaderElectionID)
	if err != nil {
		writerErrors.WithLabelValues("all", ReasonWrite).Inc()
		log.Error(err, "writers not started")
		return
	}
	elector := o.Elector
	elector.Lock = lock
	elector.Log = log.WithName("leader")
	log.Info("writers campaigning", "lease", o.Namespace+"/"+o.LeaderElectionID, "identity", lock.Identity())
	elector.Run(ctx, func(ctx context.Context) { runAll(ctx, writers, log) })
}

// runAll runs the writers side by side until they return.
func runAll(ctx context.Context, writers []Writer, log logr.Logger) {
	done := make(chan struct{}, len(writers))
	for _, w := range writers {
		go func() {
			defer func() { done <- struct{}{} }()
			defer func() {
				if r := recover(); r != nil {
					writerErrors.WithLabelValues(w.Name(), ReasonPanic).Inc()
					log.Error(fmt.Errorf("panic: %v\n%s", r, debug.Stack()), "writer stopped until the next leadership", "writer", w.Name())
				}
			}()
			w.Run(ctx)
		}()
	}
	for range writers {
		<-done
	}
}

func (o *Options) writers(env Env) ([]Writer, error) {
	c, err := client.New(env.Config, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("writers' client: %w", err)
	}
	var writers []Writer
	if o.Headroom {
		w := o.Writer
		w.Client = c
		w.Headroom = o.HeadroomConfig(env.PrepullImage)
		w.OwnerDeployment = o.OwnerDeployment
		w.Policies = env.Policies
		w.Events = env.Events
		w.Log = env.Log.WithName("headroom")
		writers = append(writers, &w)
	}
	if o.Rebalance {
		cs, err := kubernetes.NewForConfig(rest.AddUserAgent(rest.CopyConfig(env.Config), "rebalance"))
		if err != nil {
			return nil, fmt.Errorf("rebalancer's client: %w", err)
		}
		writers = append(writers, &Rebalancer{Client: cs, Policies: env.Policies, Events: env.Events,
			Log: env.Log.WithName("rebalance"), Namespace: o.Namespace, Interval: o.RebalanceInterval,
			Backoff: o.RebalanceBackoff, PrepullImage: env.PrepullImage})
	}
	return writers, nil
}
