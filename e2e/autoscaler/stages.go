package autoscaler

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// KeepRunningLabel keeps a Job's pod Running: KWOK's fast pod-complete
// stage completes every Running pod a Job owns at once, and a test that
// needs a Job's pod to stay (the rebalancer must leave it alone) labels it
// with this key.
const KeepRunningLabel = "e2e.poolpatch.io/keep-running"

// jobPodSelector is the pod-complete stage's selector of Job pods, as
// KWOK's stages file writes it.
const jobPodSelector = `    - key: '.metadata.ownerReferences.[].kind'
      operator: 'In'
      values:
      - 'Job'
`

// writeStages writes KWOK's stages file src to the cluster's work
// directory with pod-complete skipping pods labelled KeepRunningLabel, and
// returns its path.
func (a *Autoscaler) writeStages(src string) (string, error) {
	data, err := os.ReadFile(src)
	if err != nil {
		return "", fmt.Errorf("KWOK stages: %w", err)
	}
	stages := string(data)
	if n := strings.Count(stages, jobPodSelector); n != 1 {
		return "", fmt.Errorf("KWOK stages %s: want one pod-complete Job selector, found %d", src, n)
	}
	stages = strings.Replace(stages, jobPodSelector, jobPodSelector+
		"    - key: '.metadata.labels[\""+KeepRunningLabel+"\"]'\n      operator: 'DoesNotExist'\n", 1)
	out := filepath.Join(a.cluster.WorkDir(), "kwok-stages.yaml")
	if err := os.WriteFile(out, []byte(stages), 0o600); err != nil {
		return "", fmt.Errorf("KWOK stages: %w", err)
	}
	return out, nil
}
