package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// rssPolicies is the policy count of the cache-size RSS figure.
const rssPolicies = 1000

// runCacheRSS creates e.nsCount namespaces, starts poolpatch serve with
// 1,000 policies against the cluster, waits until its namespace cache is
// synced, serves it a few seconds of reviews and reads its peak RSS (VmHWM).
func runCacheRSS(ctx context.Context, e *env, c *cluster.Cluster, cs kubernetes.Interface, r *Report) (err error) {
	began := time.Now()
	if err := createNamespaces(ctx, cs, e.nsCount); err != nil {
		return err
	}
	fmt.Fprintf(e.log, "created %d namespaces in %s\n", e.nsCount, time.Since(began).Round(time.Millisecond))
	file := filepath.Join(e.workDir, "policies-1000.yaml")
	if err := os.WriteFile(file, []byte(fixture.Policies(rssPolicies)), 0o644); err != nil {
		return fmt.Errorf("write policies: %w", err)
	}
	pp, err := startPoolpatch(ctx, e, "rss-poolpatch", file, c.KubeconfigPath(), nil)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, pp.stop()) }()
	if _, _, err := closedLoop(ctx, e.client, pp.url, e.review, httpsWorkers, e.warmup); err != nil {
		return fmt.Errorf("reviews: %w", err)
	}
	hwm, err := statusKB(pp.pid(), "VmHWM")
	if err != nil {
		return err
	}
	name := fmt.Sprintf("rss_peak_%d_policies_%d_namespaces", rssPolicies, e.nsCount)
	r.addTarget("reload", name, float64(hwm)/1024, "MiB", "<=", 96)
	return nil
}

// createNamespaces creates n labelled namespaces from 16 clients.
func createNamespaces(ctx context.Context, cs kubernetes.Interface, n int) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, createWorkers)
	for range createWorkers {
		wg.Go(func() {
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || ctx.Err() != nil {
					return
				}
				ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
					Name:   fmt.Sprintf("tenant-%05d", i),
					Labels: map[string]string{"team": fmt.Sprintf("team-%d", i%50), "poolpatch.io/enabled": "true"},
				}}
				if _, err := cs.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
					errs <- fmt.Errorf("create namespace %s: %w", ns.Name, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	return <-errs
}
