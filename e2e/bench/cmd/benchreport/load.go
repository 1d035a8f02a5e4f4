package main

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// webhookClient is an HTTPS client like the API server's webhook client:
// keep-alive connections, the server's CA, TLS 1.2 at least, HTTP/2 when the
// server offers it (poolpatch and the no-op offer HTTP/1.1 only).
func webhookClient(caPEM []byte, conns int) (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, fmt.Errorf("no certificate in the CA bundle")
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		ForceAttemptHTTP2:   true,
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
	}
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}, nil
}

// post sends one AdmissionReview and checks that it was allowed.
func post(ctx context.Context, client *http.Client, url string, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode != http.StatusOK || !bytes.Contains(out, []byte(`"allowed":true`)) {
		return fmt.Errorf("status %d: %.200s", resp.StatusCode, out)
	}
	return nil
}

// closedLoop keeps workers requests in flight for d: each worker sends its
// next request when the previous one is answered. It returns the number of
// answered requests and the time taken; any failed request fails the run.
func closedLoop(ctx context.Context, client *http.Client, url string, body []byte, workers int, d time.Duration) (int64, time.Duration, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var done atomic.Int64
	var firstErr error
	var once sync.Once
	var wg sync.WaitGroup
	began := time.Now()
	deadline := began.Add(d)
	for range workers {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				if err := post(ctx, client, url, body); err != nil {
					once.Do(func() { firstErr = err; cancel() })
					return
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return 0, 0, fmt.Errorf("closed loop: %w", firstErr)
	}
	return done.Load(), time.Since(began), nil
}

// openLoop sends rate requests per second for d on a fixed schedule,
// whatever the answers, and returns each request's latency measured from
// its scheduled send time, so that a slow answer cannot hide the queue
// behind it (no coordinated omission).
func openLoop(ctx context.Context, client *http.Client, url string, body []byte, rate int, d time.Duration) ([]time.Duration, error) {
	n := int(d.Seconds() * float64(rate))
	interval := time.Second / time.Duration(rate)
	lat := make([]time.Duration, n)
	errs := make(chan error, n)
	var wg sync.WaitGroup
	start := time.Now().Add(10 * time.Millisecond)
	for i := range n {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("open loop: %w", ctx.Err())
			case <-time.After(wait):
			}
		}
		wg.Go(func() {
			if err := post(ctx, client, url, body); err != nil {
				errs <- err
				return
			}
			lat[i] = time.Since(at)
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return nil, fmt.Errorf("open loop: %w", err)
	}
	return lat, nil
}
