package webhook

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"sync"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
)

// maxLoadRequests bounds every load run, whatever its duration and rate.
const maxLoadRequests = 200_000

// loadResult is the outcome of one admission request of a load run.
type loadResult struct {
	pod       int       // index of the pod sent
	start     time.Time // before the connection was dialled
	handshake time.Time // TLS handshake done; zero when it never completed
	wrote     time.Time // request fully written; zero when it never was
	end       time.Time
	err       error // transport, HTTP or decoding error; nil for an answer
	response  *admissionv1.AdmissionResponse
}

// loadGenerator sends pod admissions at a steady rate to one URL: a ticker
// hands out one token per interval to a fixed pool of workers, so the rate
// holds as long as the server keeps up (tokens it cannot take are counted as
// missed, not queued).
type loadGenerator struct {
	client  *http.Client
	url     string
	pods    []*corev1.Pod
	bodies  [][]byte
	rate    int // requests per second
	workers int
}

// newLoadGenerator prepares the AdmissionReview bodies of pods once. Each
// request opens a new connection (no keep-alive), so that every request
// makes a TLS handshake, as a new API server connection would.
func newLoadGenerator(t testing.TB, tlsCfg *tls.Config, url string, pods []*corev1.Pod, rate int) *loadGenerator {
	t.Helper()
	g := &loadGenerator{
		client: &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
			TLSClientConfig: tlsCfg, DisableKeepAlives: true, ForceAttemptHTTP2: false}},
		url: url, pods: pods, rate: rate, workers: 8,
	}
	for _, pod := range pods {
		g.bodies = append(g.bodies, podReview(t, pod, admissionv1.Create))
	}
	return g
}

// loadRun is the record of a finished load run.
type loadRun struct {
	results []loadResult
	missed  int // ticks no worker was free for
	elapsed time.Duration
}

// run sends requests until ctx ends or maxLoadRequests were sent, and
// returns every result once all requests in flight have finished.
func (g *loadGenerator) run(ctx context.Context) *loadRun {
	tokens := make(chan int, g.workers)
	var mu sync.Mutex
	run := &loadRun{}
	var wg sync.WaitGroup
	for range g.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range tokens {
				r := g.send(i % len(g.bodies))
				mu.Lock()
				run.results = append(run.results, r)
				mu.Unlock()
			}
		}()
	}
	start := time.Now()
	tick := time.NewTicker(time.Second / time.Duration(g.rate))
	defer tick.Stop()
	for i := 0; i < maxLoadRequests; {
		select {
		case <-ctx.Done():
			i = maxLoadRequests
			continue
		case <-tick.C:
		}
		select {
		case tokens <- i:
			i++
		default:
			run.missed++
		}
	}
	close(tokens)
	wg.Wait()
	run.elapsed = time.Since(start)
	return run
}

// send posts one review body and decodes the answer.
func (g *loadGenerator) send(pod int) (r loadResult) {
	r = loadResult{pod: pod, start: time.Now()}
	defer func() { r.end = time.Now() }()
	trace := &httptrace.ClientTrace{
		TLSHandshakeDone: func(_ tls.ConnectionState, err error) {
			if err == nil {
				r.handshake = time.Now()
			}
		},
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				r.wrote = time.Now()
			}
		},
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace),
		http.MethodPost, g.url, bytes.NewReader(g.bodies[pod]))
	if err != nil {
		r.err = err
		return r
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		r.err = err
		return r
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	switch {
	case err != nil:
		r.err = fmt.Errorf("read answer: %w", err)
	case resp.StatusCode != http.StatusOK:
		r.err = fmt.Errorf("HTTP %d: %s", resp.StatusCode, body)
	default:
		var review admissionv1.AdmissionReview
		if err := json.Unmarshal(body, &review); err != nil || review.Response == nil {
			r.err = fmt.Errorf("answer is no AdmissionReview: %v: %s", err, body)
		} else if !review.Response.Allowed {
			r.err = fmt.Errorf("pod denied: %+v", review.Response.Result)
		} else {
			r.response = review.Response
		}
	}
	return r
}

// failures returns the results with an error.
func (run *loadRun) failures() []loadResult {
	var out []loadResult
	for _, r := range run.results {
		if r.err != nil {
			out = append(out, r)
		}
	}
	return out
}

// report logs the figures of a run under name.
func (run *loadRun) report(t testing.TB, name string) {
	t.Helper()
	var maxLatency time.Duration
	for _, r := range run.results {
		maxLatency = max(maxLatency, r.end.Sub(r.start))
	}
	t.Logf("%s: %d requests in %s (%.0f/s), %d failed, %d ticks missed, max latency %s",
		name, len(run.results), run.elapsed.Round(time.Millisecond),
		float64(len(run.results))/run.elapsed.Seconds(), len(run.failures()), run.missed,
		maxLatency.Round(time.Millisecond))
}

// requireNoFailures fails the test with the first few failed requests.
func (run *loadRun) requireNoFailures(t testing.TB) {
	t.Helper()
	failed := run.failures()
	for i, r := range failed {
		if i == 5 {
			t.Errorf("... and %d more", len(failed)-i)
			break
		}
		t.Errorf("request %s after start failed: %v", r.start.Sub(run.results[0].start).Round(time.Millisecond), r.err)
	}
	if len(run.results) == 0 {
		t.Error("the load generator sent no request")
	}
}
