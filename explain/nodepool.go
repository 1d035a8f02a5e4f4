package explain

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// NodePoolLabel is the label Karpenter puts on every Node it provisions:
// the NodePool's name.
const NodePoolLabel = "karpenter.sh/nodepool"

// NodePool is what explain reads of a Karpenter NodePool (karpenter.sh/v1):
// Karpenter's Go module is not a dependency, so these are local types that
// decode the fields that decide whether a NodePool can provision for a pod.
type NodePool struct {
	Name   string
	Weight int32
	// Labels and Taints are the NodePool template's; Requirements its
	// template requirements.
	Labels       map[string]string
	Taints       []corev1.Taint
	Requirements []corev1.NodeSelectorRequirement
	// Limits caps the NodePool's total resources; Used is what its Nodes
	// have (status.resources).
	Limits, Used corev1.ResourceList
}

// nodePoolObject mirrors the fields of a NodePool manifest that NodePool
// keeps.
type nodePoolObject struct {
	Kind     string `json:"kind"`
	Metadata struct {
		Name string `json:"name"`
	} `json:"metadata"`
	Spec struct {
		Weight   *int32 `json:"weight"`
		Template struct {
			Metadata struct {
				Labels map[string]string `json:"labels"`
			} `json:"metadata"`
			Spec struct {
				Taints       []corev1.Taint                   `json:"taints"`
				Requirements []corev1.NodeSelectorRequirement `json:"requirements"`
			} `json:"spec"`
		} `json:"template"`
		Limits corev1.ResourceList `json:"limits"`
	} `json:"spec"`
	Status struct {
		Resources corev1.ResourceList `json:"resources"`
	} `json:"status"`
}

// NodePoolFromObject decodes a NodePool from its generic JSON form (a
// manifest document, or an unstructured object read from the API server).
func NodePoolFromObject(obj map[string]any) (NodePool, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return NodePool{}, fmt.Errorf("encode NodePool: %w", err)
	}
	var o nodePoolObject
	if err := json.Unmarshal(raw, &o); err != nil {
		return NodePool{}, fmt.Errorf("decode NodePool: %w", err)
	}
	if o.Kind != "NodePool" || o.Metadata.Name == "" {
		return NodePool{}, fmt.Errorf("not a named NodePool (kind %q)", o.Kind)
	}
	np := NodePool{
		Name: o.Metadata.Name, Labels: o.Spec.Template.Metadata.Labels, Taints: o.Spec.Template.Spec.Taints,
		Requirements: o.Spec.Template.Spec.Requirements, Limits: o.Spec.Limits, Used: o.Status.Resources,
	}
	if o.Spec.Weight != nil {
		np.Weight = *o.Spec.Weight
	}
	return np, nil
}

// wellKnown are the labels Karpenter can give a Node a value of even when
// a NodePool does not constrain them (its cloud provider's offerings decide).
var wellKnown = map[string]bool{
	corev1.LabelTopologyZone:       true,
	corev1.LabelTopologyRegion:     true,
	corev1.LabelInstanceTypeStable: true,
	corev1.LabelArchStable:         true,
	corev1.LabelOSStable:           true,
	"karpenter.sh/capacity-type":   true,
}

// maxCandidates bounds the label combinations tried per NodePool.
const maxCandidates = 4096

// candidateNodes are the Nodes a NodePool could make, as label sets: the
// template's labels, the NodePool label, and every combination of the values
// its requirements allow. For a label the NodePool leaves open (a
// well-known label without a requirement, or Exists/NotIn), the values the
// pod asks for stand in for what the provider offers.
func candidateNodes(np NodePool, pod *corev1.Pod) []*corev1.Node {
	fixed := map[string]string{NodePoolLabel: np.Name}
	for k, v := range np.Labels {
		fixed[k] = v
	}
	choices := map[string][]string{}
	reqs := map[string]corev1.NodeSelectorRequirement{}
	for _, r := range np.Requirements {
		reqs[r.Key] = r
	}
	podValues := podInValues(pod)
	for _, key := range sortedKeys(union(reqs, podValues)) {
		if _, ok := fixed[key]; ok {
			continue
		}
		r, constrained := reqs[key]
		switch {
		case constrained && r.Operator == corev1.NodeSelectorOpIn:
			choices[key] = r.Values
		case constrained && r.Operator == corev1.NodeSelectorOpDoesNotExist:
		case constrained && r.Operator == corev1.NodeSelectorOpNotIn:
			choices[key] = without(podValues[key], r.Values)
		case constrained || wellKnown[key]:
			choices[key] = podValues[key]
		}
	}
	var out []*corev1.Node
	var walk func(keys []string, labels map[string]string)
	keys := sortedKeys(choices)
	walk = func(keys []string, labels map[string]string) {
		if len(out) >= maxCandidates {
			return
		}
		if len(keys) == 0 || len(choices[keys[0]]) == 0 {
			if len(keys) > 0 {
				walk(keys[1:], labels)
				return
			}
			node := &corev1.Node{}
			node.Name = np.Name + "-candidate"
			node.Labels = copyLabels(labels)
			out = append(out, node)
			return
		}
		for _, v := range choices[keys[0]] {
			labels[keys[0]] = v
			walk(keys[1:], labels)
		}
		delete(labels, keys[0])
	}
	walk(keys, copyLabels(fixed))
	return out
}

// podInValues lists, per label key, the values the pod's nodeSelector and
// required In expressions name.
func podInValues(pod *corev1.Pod) map[string][]string {
	out := map[string][]string{}
	for k, v := range pod.Spec.NodeSelector {
		out[k] = appendNew(out[k], v)
	}
	for _, term := range policy.RequiredTerms(pod) {
		for _, e := range term.MatchExpressions {
			if e.Operator == corev1.NodeSelectorOpIn {
				out[e.Key] = appendNew(out[e.Key], e.Values...)
			}
		}
	}
	for _, term := range policy.PreferredTerms(pod) {
		for _, e := range term.Preference.MatchExpressions {
			if e.Operator == corev1.NodeSelectorOpIn {
				out[e.Key] = appendNew(out[e.Key], e.Values...)
			}
		}
	}
	return out
}

func appendNew(list []string, values ...string) []string {
	for _, v := range values {
		if !contains(list, v) {
			list = append(list, v)
		}
	}
	return list
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

func without(list, drop []string) []string {
	var out []string
	for _, v := range list {
		if !contains(drop, v) {
			out = append(out, v)
		}
	}
	return out
}

func union[V any, W any](a map[string]V, b map[string]W) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

func copyLabels(in map[string]string) map[string]string {
	out := make(map[string]string, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

// describeTerm formats a preferred term for the report.
func describeTerm(t corev1.PreferredSchedulingTerm) string {
	var parts []string
	for _, e := range t.Preference.MatchExpressions {
		parts = append(parts, fmt.Sprintf("%s %s [%s]", e.Key, e.Operator, strings.Join(e.Values, ",")))
	}
	return fmt.Sprintf("%s (weight %d)", strings.Join(parts, ", "), t.Weight)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
