package autoscaler

import (
	"encoding/json"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	schedcorev1 "k8s.io/component-helpers/scheduling/corev1"
)

// instanceType is the part of an entry of instance-types.json (the kwok
// provider's format) that says which Nodes it can make.
type instanceType struct {
	Name         string   `json:"name"`
	Architecture string   `json:"architecture"`
	OS           []string `json:"operatingSystems"`
	Offerings    []struct {
		Available    bool                             `json:"Available"`
		Requirements []corev1.NodeSelectorRequirement `json:"Requirements"`
	} `json:"offerings"`
}

// Offerings are the label sets of the Nodes the provider can launch: one per
// available offering of each instance type and operating system (instance
// type, architecture, OS, and the offering's capacity type and zone), read
// from the instance types Karpenter is given.
func Offerings() ([]map[string]string, error) {
	var types []instanceType
	if err := json.Unmarshal(instanceTypes, &types); err != nil {
		return nil, fmt.Errorf("read instance-types.json: %w", err)
	}
	var out []map[string]string
	for _, it := range types {
		for _, os := range it.OS {
			for _, o := range it.Offerings {
				if !o.Available {
					continue
				}
				labels := map[string]string{
					corev1.LabelInstanceTypeStable: it.Name, corev1.LabelArchStable: it.Architecture, corev1.LabelOSStable: os,
				}
				for _, r := range o.Requirements {
					if r.Operator == corev1.NodeSelectorOpIn && len(r.Values) == 1 {
						labels[r.Key] = r.Values[0]
					}
				}
				out = append(out, labels)
			}
		}
	}
	return out, nil
}

// HasOffering says whether some offering meets requirements (a NodePool's),
// by the scheduler's matcher. Only the keys an offering defines are
// compared: the rest (the pool label, say) come from the NodePool's
// template, not from the provider.
func HasOffering(offerings []map[string]string, requirements []corev1.NodeSelectorRequirement) bool {
	for _, labels := range offerings {
		var term corev1.NodeSelectorTerm
		for _, r := range requirements {
			if _, ok := labels[r.Key]; ok {
				term.MatchExpressions = append(term.MatchExpressions, r)
			}
		}
		if len(term.MatchExpressions) == 0 {
			return true // an empty term matches nothing; here, nothing is asked
		}
		node := &corev1.Node{}
		node.Labels = labels
		ok, err := schedcorev1.MatchNodeSelectorTerms(node, &corev1.NodeSelector{NodeSelectorTerms: []corev1.NodeSelectorTerm{term}})
		if err == nil && ok {
			return true
		}
	}
	return false
}
