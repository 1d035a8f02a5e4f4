package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// webhookCallsMetric counts the API server's calls of each admission webhook.
const webhookCallsMetric = "apiserver_admission_webhook_admission_duration_seconds_count{"

// webhookCalls returns how often the API server has called the pod webhook
// (either server registered under cluster.WebhookName) so far, from its
// /metrics.
func (b *apiBench) webhookCalls(ctx context.Context) (int, error) {
	raw, err := b.cs.CoreV1().RESTClient().Get().AbsPath("/metrics").DoRaw(ctx)
	if err != nil {
		return 0, fmt.Errorf("API server metrics: %w", err)
	}
	total := 0.0
	sc := bufio.NewScanner(bytes.NewReader(raw))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, webhookCallsMetric) || !strings.Contains(line, `name="`+cluster.WebhookName+`"`) {
			continue
		}
		v, err := strconv.ParseFloat(line[strings.LastIndexByte(line, ' ')+1:], 64)
		if err != nil {
			return 0, fmt.Errorf("API server metrics: %q: %w", line, err)
		}
		total += v
	}
	if err := sc.Err(); err != nil {
		return 0, fmt.Errorf("API server metrics: %w", err)
	}
	return int(total), nil
}
