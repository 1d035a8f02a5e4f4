package webhook

import (
	"bufio"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
)

// acceptMargin is how long before the signal a request must have been sent
// for the server to have read it.
const acceptMargin = 200 * time.Millisecond

// shutdownGrace is the chart's terminationGracePeriodSeconds: the process
// must be gone within it after SIGTERM.
const shutdownGrace = 30 * time.Second

// buildPoolpatch builds the poolpatch command into a temporary directory.
func buildPoolpatch(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "poolpatch")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/poolpatch/poolpatch/cmd/poolpatch")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startServeProcess runs `poolpatch serve` on 127.0.0.1 ports without a
// cluster and waits until /readyz answers.
func startServeProcess(t *testing.T, bin, certDir string) (cmd *exec.Cmd, webhook string, exited chan error) {
	t.Helper()
	port, health := freePort(t), freePort(t)
	log, err := os.Create(filepath.Join(t.TempDir(), "serve.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		log.Close()
		if t.Failed() {
			out, _ := os.ReadFile(log.Name())
			t.Logf("poolpatch serve log:\n%s", out)
		}
	})
	cmd = exec.Command(bin, "serve", "--policy-file", examplePolicies, "--cert-dir", certDir,
		"--port", strconv.Itoa(port), "--metrics-bind-address", "0",
		"--health-probe-bind-address", fmt.Sprintf("127.0.0.1:%d", health))
	cmd.Env = append(os.Environ(), "KUBECONFIG="+filepath.Join(t.TempDir(), "none"), "KUBERNETES_SERVICE_HOST=")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited = make(chan error, 1)
	go func() {
		err := cmd.Wait()
		exitedAt.Store(time.Now())
		exited <- err
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			<-exited
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", health))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("poolpatch serve exited before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("poolpatch serve not ready after 60s")
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd, fmt.Sprintf("https://127.0.0.1:%d", port), exited
}

// exitedAt is when the serve process was seen to exit.
var exitedAt atomic.Value

// TestServeProcessShutdownUnderLoad runs `poolpatch serve` as a real process
// and sends it SIGTERM while pods are admitted at a steady rate: every
// request the server had accepted before the signal (sent acceptMargin
// before it, and one held half-sent across it) gets its full answer, and the
// process exits 0 within the grace period. Connections attempted after the
// signal are refused.
func TestServeProcessShutdownUnderLoad(t *testing.T) {
	soak := soakFor(t, 2*time.Second)
	bin := buildPoolpatch(t)
	ca := newTestCA(t)
	certDir := t.TempDir()
	ca.issue(t, certDir, 7)
	cmd, url, exited := startServeProcess(t, bin, certDir)

	load := newLoadGenerator(t, &tls.Config{RootCAs: ca.pool(), MinVersion: tls.VersionTLS12},
		url+MutatePodsPath, soakPods(t), 200)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan *loadRun, 1)
	go func() { done <- load.run(ctx) }()

	time.Sleep(soak)
	// One request is held half-sent across the signal: the server has
	// accepted it and must wait for the rest and answer it in full.
	held := holdRequest(t, strings.TrimPrefix(url, "https://"), ca, load.bodies[0])
	time.Sleep(acceptMargin)
	signalled := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	if err := held.finish(); err != nil {
		t.Errorf("request held across SIGTERM: %v", err)
	}
	var exitErr error
	select {
	case exitErr = <-exited:
	case <-time.After(shutdownGrace):
		t.Fatalf("poolpatch serve still running %s after SIGTERM", shutdownGrace)
	}
	stopped := exitedAt.Load().(time.Time).Sub(signalled)
	time.Sleep(200 * time.Millisecond) // requests after the exit are refused
	cancel()
	run := <-done

	// Accepted means the request was fully written acceptMargin before the
	// signal, so that the server has read it. net/http closes unanswered a
	// connection whose request it reads after Shutdown began; in a cluster
	// the chart's preStop sleep keeps requests away by then.
	var accepted, inFlight, racing, racingFailed, refused int
	for _, r := range run.results {
		switch {
		case r.wrote.IsZero() || !r.wrote.Before(signalled):
			if r.err != nil {
				refused++
			}
			continue
		case signalled.Sub(r.wrote) < acceptMargin:
			racing++
			if r.err != nil {
				racingFailed++
			}
			continue
		}
		accepted++
		if r.end.After(signalled) {
			inFlight++
		}
		if r.err != nil {
			t.Errorf("request sent %s before SIGTERM failed: %v", signalled.Sub(r.wrote), r.err)
		}
	}
	run.report(t, "shutdown under load")
	t.Logf("shutdown under load: %d accepted (%d in flight at SIGTERM, plus one held half-sent for 300ms), all answered; "+
		"%d sent within %s before the signal not counted (%d of them failed); %d refused after it; exit after %s",
		accepted, inFlight, racing, acceptMargin, racingFailed, refused, stopped.Round(time.Millisecond))
	var ee *exec.ExitError
	switch {
	case errors.As(exitErr, &ee):
		t.Errorf("poolpatch serve exited %d after SIGTERM, want 0", ee.ExitCode())
	case exitErr != nil:
		t.Errorf("poolpatch serve: %v", exitErr)
	}
	if accepted == 0 {
		t.Error("no request was accepted before the signal")
	}
}

// heldRequest is an admission request whose body is half sent.
type heldRequest struct {
	conn *tls.Conn
	rest []byte
}

// holdRequest opens a TLS connection to addr and sends the headers and the
// first half of body.
func holdRequest(t *testing.T, addr string, ca *testCA, body []byte) *heldRequest {
	t.Helper()
	conn, err := tls.Dial("tcp", addr, &tls.Config{RootCAs: ca.pool(), MinVersion: tls.VersionTLS12})
	if err != nil {
		t.Fatalf("hold request: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	half := len(body) / 2
	head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n",
		MutatePodsPath, addr, len(body))
	if _, err := conn.Write(append([]byte(head), body[:half]...)); err != nil {
		t.Fatalf("hold request: %v", err)
	}
	return &heldRequest{conn: conn, rest: body[half:]}
}

// finish sends the rest of the body and checks the answer: HTTP 200, an
// allowed AdmissionReview with a patch.
func (h *heldRequest) finish() error {
	if _, err := h.conn.Write(h.rest); err != nil {
		return fmt.Errorf("send rest: %w", err)
	}
	sent := time.Now()
	_ = h.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(h.conn), nil)
	if err != nil {
		return fmt.Errorf("read answer %s after the rest was sent: %w", time.Since(sent).Round(time.Millisecond), err)
	}
	defer resp.Body.Close()
	var review admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&review); err != nil {
		return fmt.Errorf("decode answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if resp.StatusCode != http.StatusOK || review.Response == nil || !review.Response.Allowed || len(review.Response.Patch) == 0 {
		return fmt.Errorf("HTTP %d, answer %+v, want an allowed patch", resp.StatusCode, review.Response)
	}
	return nil
}
