package policy

import (
	"errors"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// ErrHeadroomCap is wrapped by the error of a set whose headroom asks for
// more chunks than the operator allows; check it with errors.Is.
var ErrHeadroomCap = errors.New("headroom over the chunk cap")

// HeadroomContainer names the one container of a chunk's pod.
const HeadroomContainer = "headroom"

// Chunk is one policy's headroom: Replicas copies of Pod, the pod that the
// policy's own pods look like to the scheduler and the autoscaler.
type Chunk struct {
	// Policy names the policy the headroom belongs to.
	Policy string
	// Replicas is how many chunks to keep.
	Replicas int32
	// Pod is the chunk: one container requesting the headroom's requests,
	// the policy's podSelector matchLabels, and the policy's placement
	// (pools, zones, tolerations) applied as if it were the only policy. The
	// container has no image: the writer that runs it chooses one.
	Pod *corev1.Pod
	// Warnings are the engine's warnings for the chunk's pod.
	Warnings []string
}

// Headroom returns the chunks of the set's Enforce policies whose headroom
// has replicas, in policy order. Audit policies create nothing. When the
// chunks add up to more than maxChunks it returns no chunk and an error
// wrapping ErrHeadroomCap: headroom buys nodes, and the operator's cap says
// how many chunks a policy set may buy.
func (s *Set) Headroom(maxChunks int) ([]Chunk, error) {
	if s == nil {
		return nil, nil
	}
	var chunks []Chunk
	total := 0
	for _, c := range s.policies {
		h := c.spec.Headroom
		if c.mode != ModeEnforce || h == nil || h.Replicas <= 0 {
			continue
		}
		chunk, err := s.chunk(c)
		if err != nil {
			return nil, err
		}
		chunks = append(chunks, chunk)
		total += int(h.Replicas)
	}
	if total > maxChunks {
		return nil, fmt.Errorf("%w: the policies ask for %d chunks, the cap is %d", ErrHeadroomCap, total, maxChunks)
	}
	return chunks, nil
}

// chunk builds one policy's chunk by applying the engine to a minimal pod
// with a view of the set that holds only that policy's placement.
func (s *Set) chunk(c *compiled) (Chunk, error) {
	view, err := s.headroomView(c)
	if err != nil {
		return Chunk{}, err
	}
	res := applyHeadroom(chunkPod(c), view)
	return Chunk{Policy: c.name, Replicas: c.spec.Headroom.Replicas, Pod: res.Pod.DeepCopy(), Warnings: res.Warnings}, nil
}

// applyHeadroom is the one place the chunk builder calls the engine. A chunk
// has no prepull, so the engine's options are the defaults.
func applyHeadroom(pod *corev1.Pod, view *Set) *Result {
	return Apply(pod, view, Namespace{}, Options{})
}

// headroomView is a set holding c alone, reduced to its placement settings:
// it matches every pod, marks it safe to evict (a chunk must never block a
// scale-down) and adds no prepull, scheduler name, size limit or annotation.
func (s *Set) headroomView(c *compiled) (*Set, error) {
	spec := c.spec
	placement := Spec{
		Mode:        ModeEnforce,
		PoolKey:     spec.PoolKey,
		TaintKey:    spec.TaintKey,
		Pools:       spec.Pools,
		StrictPools: spec.StrictPools,
		Zones:       spec.Zones,
		Tolerations: spec.Tolerations,
		Eviction:    EvictionSafe,
	}
	only, err := compileOne(PoolPolicy{APIVersion: APIVersion, Kind: Kind, Metadata: Metadata{Name: c.name}, Spec: placement})
	if err != nil {
		return nil, fmt.Errorf("headroom of policy %s: %w", c.name, err)
	}
	return newSet(s.Generation, []*compiled{only}), nil
}

// chunkPod is the minimal pod of a chunk, before the engine places it.
func chunkPod(c *compiled) *corev1.Pod {
	var podLabels map[string]string
	if sel := c.spec.Match.PodSelector; sel != nil && len(sel.MatchLabels) > 0 {
		podLabels = maps.Clone(sel.MatchLabels)
	}
	return &corev1.Pod{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Pod"},
		ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
		Spec: corev1.PodSpec{
			Containers: []corev1.Container{{
				Name:      HeadroomContainer,
				Resources: corev1.ResourceRequirements{Requests: c.spec.Headroom.Requests.DeepCopy()},
			}},
		},
	}
}
