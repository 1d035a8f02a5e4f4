package webhook

import (
	"context"
	"errors"
	"testing"
	"time"

	"golang.org/x/sync/errgroup"
	"k8s.io/client-go/rest"
)

// TestWritersCannotStopTheServer: the server's components share an error
// group, in which one component's error ends them all. A writer that panics
// or gives up must leave the group, and so admission, running.
func TestWritersCannotStopTheServer(t *testing.T) {
	for name, writers := range map[string]WritersFunc{
		"panics":  func(context.Context, WriterEnv) { panic("boom") },
		"returns": func(context.Context, WriterEnv) {},
	} {
		t.Run(name, func(t *testing.T) {
			g, ctx := errgroup.WithContext(context.Background())
			ran := make(chan WriterEnv, 1)
			opts := Options{PrepullHelperImage: "img", Writers: func(ctx context.Context, env WriterEnv) {
				ran <- env
				writers(ctx, env)
			}}
			store := NewStore(testLogger())
			if err := startWriters(ctx, g.Go, opts, store, &cluster{config: &rest.Config{Host: "https://127.0.0.1:1"}}, testLogger()); err != nil {
				t.Fatal(err)
			}
			env := <-ran
			if env.Policies != store || env.PrepullImage != "img" || env.Config == nil {
				t.Errorf("writers got %+v", env)
			}
			admission := make(chan error, 1)
			g.Go(func() error { // stands for the webhook server
				select {
				case <-ctx.Done():
					return errors.New("the writers stopped the server")
				case <-time.After(200 * time.Millisecond):
					return nil
				}
			})
			go func() { admission <- g.Wait() }()
			if err := <-admission; err != nil {
				t.Fatal(err)
			}
		})
	}
	if err := startWriters(context.Background(), nil, Options{Writers: func(context.Context, WriterEnv) {}}, nil, nil, testLogger()); !errors.Is(err, ErrWritersNeedCluster) {
		t.Errorf("writers without a cluster: %v, want ErrWritersNeedCluster", err)
	}
}
