package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	admissionv1 "k8s.io/api/admission/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/poolpatch/poolpatch/e2e/bench/fixture"
	"github.com/poolpatch/poolpatch/policy"
)

// writeFixedPatch computes poolpatch's patch for the bench pod once, as
// the fixed-patch webhook will answer it, and writes it to a file: the pod
// is the bench pod as the API server admits it (a dry-run create, taken
// before any admission extension is registered), without what the API
// server sets only after the mutating webhooks (generated name, uid,
// status); the policies and the namespace are those the poolpatch server
// of this section serves. checkFixedPatch then compares it with
// poolpatch's answer to a review the API server really sent.
func (b *apiBench) writeFixedPatch(ctx context.Context) (string, []byte, error) {
	pod, err := b.cs.CoreV1().Pods(benchNamespace).Create(ctx, b.pod, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
	if err != nil {
		return "", nil, fmt.Errorf("fixed patch: dry-run create: %w", err)
	}
	pod.Name, pod.UID, pod.ResourceVersion, pod.Generation = "", "", "", 0
	pod.CreationTimestamp = metav1.Time{}
	pod.Status = corev1.PodStatus{}
	patch, err := b.patchFor(ctx, pod)
	if err != nil {
		return "", nil, err
	}
	path := filepath.Join(b.e.workDir, "fixed-patch.json")
	if err := os.WriteFile(path, patch, 0o644); err != nil {
		return "", nil, fmt.Errorf("fixed patch: %w", err)
	}
	return path, patch, nil
}

// patchFor is poolpatch's patch for pod in the bench namespace, computed
// with the engine as the webhook calls it.
func (b *apiBench) patchFor(ctx context.Context, pod *corev1.Pod) ([]byte, error) {
	data, err := os.ReadFile(b.e.examples)
	if err != nil {
		return nil, fmt.Errorf("fixed patch: %w", err)
	}
	set, err := policy.Load(policy.Source{Name: b.e.examples, Data: data})
	if err != nil {
		return nil, fmt.Errorf("fixed patch: %w", err)
	}
	ns, err := b.cs.CoreV1().Namespaces().Get(ctx, benchNamespace, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("fixed patch: namespace: %w", err)
	}
	list, err := b.cs.CoreV1().LimitRanges(benchNamespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("fixed patch: limit ranges: %w", err)
	}
	ranges := make([]*corev1.LimitRange, len(list.Items))
	for i := range list.Items {
		ranges[i] = &list.Items[i]
	}
	res := policy.Apply(pod, set, policy.NamespaceOf(benchNamespace, ns.Labels, ranges), policy.Options{})
	if !res.Changed {
		return nil, fmt.Errorf("fixed patch: the example policies do not change the bench pod (matched %v, excluded %q)",
			res.Enforced, res.Excluded)
	}
	patch, err := policy.MarshalPatch(res.Patch)
	if err != nil {
		return nil, fmt.Errorf("fixed patch: %w", err)
	}
	return patch, nil
}

// checkFixedPatch fetches from the fixed-patch server the object of the
// latest review the API server sent it, has the poolpatch server answer a
// review of that object, and fails unless poolpatch's patch is the fixed
// one byte for byte.
func (b *apiBench) checkFixedPatch(fixed, pp *server, patch []byte) func(context.Context) error {
	return func(ctx context.Context) error {
		raw, err := get(ctx, b.e.client, strings.TrimSuffix(fixed.url, "/mutate-pods")+"/last-review")
		if err != nil {
			return fmt.Errorf("fixed patch check: %w", err)
		}
		var pod corev1.Pod
		if err := json.Unmarshal(raw, &pod); err != nil {
			return fmt.Errorf("fixed patch check: the reviewed object: %w", err)
		}
		if pod.Namespace == "" {
			pod.Namespace = benchNamespace
		}
		review, err := fixture.Review(&pod, "bench-fixed-patch-check")
		if err != nil {
			return err
		}
		resp, err := postReview(ctx, b.e.client, pp.url, review)
		if err != nil {
			return fmt.Errorf("fixed patch check: %w", err)
		}
		if !bytes.Equal(resp.Patch, patch) {
			return fmt.Errorf("fixed patch check: poolpatch answers the API server's review with\n%s\nthe fixed-patch webhook with\n%s", resp.Patch, patch)
		}
		return nil
	}
}

// get returns the body of a GET answered 200.
func get(ctx context.Context, client *http.Client, url string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("get %s: status %d: %.200s", url, resp.StatusCode, out)
	}
	return out, nil
}

// postReview posts an AdmissionReview and returns the response in it.
func postReview(ctx context.Context, client *http.Client, url string, review []byte) (*admissionv1.AdmissionResponse, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(review))
	if err != nil {
		return nil, fmt.Errorf("request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	var out admissionv1.AdmissionReview
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, fmt.Errorf("decode review: %w", err)
	}
	if resp.StatusCode != http.StatusOK || out.Response == nil || !out.Response.Allowed {
		return nil, fmt.Errorf("status %d, response %+v", resp.StatusCode, out.Response)
	}
	return out.Response, nil
}
