package policy

import (
	"math/rand/v2"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
)

// TestMatchLabelsOnlyAgreesWithSelector checks the direct matchLabels
// check against labels.Selector on random selectors and pods, empty values
// included.
func TestMatchLabelsOnlyAgreesWithSelector(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 7))
	pick := func(options ...string) string { return options[rng.IntN(len(options))] }
	randomLabels := func(n int) map[string]string {
		out := map[string]string{}
		for range n {
			out[pick("a", "b", "app.kubernetes.io/name")] = pick("", "x", "y")
		}
		return out
	}
	for round := range 2000 {
		sel := &metav1.LabelSelector{MatchLabels: randomLabels(1 + rng.IntN(3))}
		c := &compiled{}
		var err error
		if c.podSelector, err = selector(sel); err != nil {
			t.Fatal(err)
		}
		if c.podLabels = matchLabelsOnly(sel); c.podLabels == nil {
			t.Fatalf("round %d: %v not taken as matchLabels alone", round, sel)
		}
		pod := labels.Set(randomLabels(rng.IntN(4)))
		if got, want := matchPodLabels(c, pod, Namespace{}), c.podSelector.Matches(pod); got != want {
			t.Fatalf("round %d: selector %v, pod labels %v: direct check %v, labels.Selector %v", round, sel.MatchLabels, pod, got, want)
		}
	}
	if matchLabelsOnly(&metav1.LabelSelector{MatchLabels: map[string]string{"a": "x"},
		MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "b", Operator: metav1.LabelSelectorOpExists}}}) != nil {
		t.Error("a selector with expressions taken as matchLabels alone")
	}
}
