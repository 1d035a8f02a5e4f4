package controller

import (
	"context"
	"fmt"
	"os"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/leaderelection"
	"k8s.io/client-go/tools/leaderelection/resourcelock"
	"k8s.io/client-go/tools/record"
)

// Election timings, controller-runtime's defaults.
const (
	DefaultLeaseDuration = 15 * time.Second
	DefaultRenewDeadline = 10 * time.Second
	DefaultRetryPeriod   = 2 * time.Second
)

// Elector runs the writers on the one replica that holds a Lease. Unlike a
// controller-runtime manager, which exits when it loses the lease, it stops
// the writers and campaigns again: the webhook in the same process must keep
// serving whatever the election does.
type Elector struct {
	// Lock is the Lease; NewLeaseLock builds one.
	Lock resourcelock.Interface
	// LeaseDuration, RenewDeadline and RetryPeriod default to the
	// Default* values.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	Log                                       logr.Logger
}

// NewLeaseLock returns the Lease NAMESPACE/NAME as controller-runtime's
// leaderelection.NewResourceLock builds it: identity hostname_UUID, and a
// client timeout of half the renew deadline, so that one hung request cannot
// cost the lease. events receives the lease's leader-change Events.
func NewLeaseLock(cfg *rest.Config, events record.EventRecorder, namespace, name string) (resourcelock.Interface, error) {
	host, err := os.Hostname()
	if err != nil {
		return nil, fmt.Errorf("writers' lease identity: %w", err)
	}
	cfg = rest.AddUserAgent(rest.CopyConfig(cfg), "leader-election")
	cfg.Timeout = DefaultRenewDeadline / 2
	client, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("writers' lease client: %w", err)
	}
	lock, err := resourcelock.New(resourcelock.LeasesResourceLock, namespace, name,
		client.CoreV1(), client.CoordinationV1(), resourcelock.ResourceLockConfig{
			Identity: host + "_" + string(uuid.NewUUID()), EventRecorder: events})
	if err != nil {
		return nil, fmt.Errorf("writers' lease %s/%s: %w", namespace, name, err)
	}
	return lock, nil
}

// Run campaigns until ctx ends. While this replica leads, lead runs with a
// context that ends when the lease is lost or ctx ends. On shutdown the
// lease is released (controller-runtime's LeaderElectionReleaseOnCancel),
// but only after lead has returned, so that the next leader never writes
// alongside this one.
func (e *Elector) Run(ctx context.Context, lead func(ctx context.Context)) {
	for ctx.Err() == nil {
		if err := e.campaign(ctx, lead); err != nil {
			e.Log.Error(err, "leader election failed, campaigning again")
		}
		select {
		case <-ctx.Done():
		case <-time.After(e.retryPeriod()):
		}
	}
}

// campaign runs one election until the lease is lost or ctx ends.
func (e *Elector) campaign(ctx context.Context, lead func(ctx context.Context)) error {
	// The elector's own context outlives ctx until lead has returned: the
	// release on cancel must come after the last write.
	electCtx, cancelElect := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelElect()
	var leading runs
	le, err := leaderelection.NewLeaderElector(leaderelection.LeaderElectionConfig{
		Lock:            e.Lock,
		LeaseDuration:   orDuration(e.LeaseDuration, DefaultLeaseDuration),
		RenewDeadline:   orDuration(e.RenewDeadline, DefaultRenewDeadline),
		RetryPeriod:     e.retryPeriod(),
		ReleaseOnCancel: true,
		Name:            e.Lock.Describe(),
		Callbacks: leaderelection.LeaderCallbacks{
			OnStartedLeading: func(leaseCtx context.Context) {
				if !leading.start() {
					return // shutting down: lead no more
				}
				defer leading.done()
				leader.Set(1)
				defer leader.Set(0)
				e.Log.Info("leading: writers started", "identity", e.Lock.Identity())
				writeCtx, stop := context.WithCancel(ctx)
				defer stop()
				go func() {
					<-leaseCtx.Done()
					stop()
				}()
				e.lead(writeCtx, lead)
				e.Log.Info("writers stopped", "identity", e.Lock.Identity())
			},
			OnStoppedLeading: func() {},
			OnNewLeader: func(identity string) {
				e.Log.V(1).Info("writers' leader", "identity", identity)
			},
		},
	})
	if err != nil {
		return fmt.Errorf("leader elector: %w", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		le.Run(electCtx)
	}()
	select {
	case <-done: // lease lost: the callback's context ended, lead returns
		leading.closeAndWait()
	case <-ctx.Done():
		// Writers see ctx end; wait for them, then release the lease.
		leading.closeAndWait()
		cancelElect()
		<-done
	}
	return nil
}

// lead runs the writers; a panic in one is logged and counted, never a
// crash of the process that also serves admission (client-go runs this
// callback in a goroutine of its own, where a panic would end the process).
func (e *Elector) lead(ctx context.Context, lead func(ctx context.Context)) {
	defer func() {
		if r := recover(); r != nil {
			writerErrors.WithLabelValues("all", ReasonPanic).Inc()
			e.Log.Error(fmt.Errorf("panic: %v", r), "writers panicked; they run again at the next election")
		}
	}()
	lead(ctx)
}

// runs counts the running lead callbacks, and refuses new ones once the
// campaign is over, so that waiting for them cannot race with their start.
type runs struct {
	mu     sync.Mutex
	wg     sync.WaitGroup
	closed bool
}

func (r *runs) start() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return false
	}
	r.wg.Add(1)
	return true
}

func (r *runs) done() { r.wg.Done() }

func (r *runs) closeAndWait() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	r.wg.Wait()
}

func (e *Elector) retryPeriod() time.Duration { return orDuration(e.RetryPeriod, DefaultRetryPeriod) }

func orDuration(d, fallback time.Duration) time.Duration {
	if d <= 0 {
		return fallback
	}
	return d
}
