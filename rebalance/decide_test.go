package rebalance

import (
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/policy"
)

func TestLocate(t *testing.T) {
	set := loadSet(t)
	special, fallback, plain := node("s1", "special01", "4"), node("f1", "fallback01", "4"), node("n1", "", "4")
	tests := []struct {
		name       string
		pod        *corev1.Pod
		node       *corev1.Node
		wantOK     bool
		wantPool   string
		wantLesser bool
	}{
		{"on the fallback pool", running(t, set, "p", template("executor", "1"), "ReplicaSet", "f1", now), fallback, true, "fallback01", true},
		{"on the best pool", running(t, set, "p", template("executor", "1"), "ReplicaSet", "s1", now), special, true, "special01", false},
		{"on a node outside the pools", running(t, set, "p", template("executor", "1"), "ReplicaSet", "n1", now), plain, true, "", true},
		{"its policy does not rebalance", running(t, set, "p", template("driver", "1"), "ReplicaSet", "f1", now), fallback, false, "", false},
		{"no policy matches", running(t, set, "p", template("other", "1"), "ReplicaSet", "f1", now), fallback, false, "", false},
		{"a DaemonSet's pod is no pod of the policy", running(t, set, "p", template("executor", "1"), "DaemonSet", "f1", now), fallback, false, "", false},
		{"an opted-out pod is no pod of the policy", func() *corev1.Pod {
			p := running(t, set, "p", template("executor", "1"), "ReplicaSet", "f1", now)
			p.Labels[policy.OptOutLabel] = "false"
			return p
		}(), fallback, false, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at, ok := Locate(set, tt.pod, tt.node, policy.Namespace{Name: "batch"})
			if ok != tt.wantOK || at.Pool != tt.wantPool || at.Lesser() != tt.wantLesser {
				t.Errorf("Locate() = pool %q lesser %v ok %v; want %q %v %v", at.Pool, at.Lesser(), ok, tt.wantPool, tt.wantLesser, tt.wantOK)
			}
		})
	}
}

func TestScreen(t *testing.T) {
	set := loadSet(t)
	long := now.Add(-5 * time.Minute)
	base := func(kind string) *corev1.Pod {
		return running(t, set, "p", template("executor", "1"), kind, "f1", long)
	}
	annotated := func(key, value string) *corev1.Pod {
		p := base("ReplicaSet")
		p.Annotations[key] = value
		return p
	}
	tests := []struct {
		name    string
		pod     *corev1.Pod
		history func(*History)
		want    Reason
	}{
		{"ReplicaSet pod long on the fallback", base("ReplicaSet"), nil, ""},
		{"StatefulSet pod", base("StatefulSet"), nil, ""},
		{"bare pod", base(""), nil, ReasonBarePod},
		{"Job pod", base("Job"), nil, ReasonOwnerKind},
		{"StatefulSet of another API group", func() *corev1.Pod {
			p := base("StatefulSet")
			p.OwnerReferences[0].APIVersion = "apps.kruise.io/v1beta1"
			return p
		}(), nil, ReasonOwnerKind},
		{"do-not-disrupt", annotated(policy.DoNotDisruptAnnotation, "true"), nil, ReasonDoNotDisrupt},
		{"do-not-disrupt false is no objection", annotated(policy.DoNotDisruptAnnotation, "false"), nil, ""},
		{"safe-to-evict false", annotated(policy.SafeToEvictAnnotation, "false"), nil, ReasonSafeToEvictFalse},
		{"safe-to-evict true", annotated(policy.SafeToEvictAnnotation, "true"), nil, ""},
		{"too recent", running(t, set, "p", template("executor", "1"), "ReplicaSet", "f1", now.Add(-59*time.Second)), nil, ReasonTooRecent},
		{"just old enough", running(t, set, "p", template("executor", "1"), "ReplicaSet", "f1", now.Add(-time.Minute)), nil, ""},
		{"owner backed off", base("ReplicaSet"), func(h *History) { h.backoff["owner-ReplicaSet"] = now.Add(time.Second) }, ReasonBackoff},
		{"back-off over", base("ReplicaSet"), func(h *History) { h.backoff["owner-ReplicaSet"] = now }, ""},
		{"policy's rate spent", base("ReplicaSet"), func(h *History) {
			h.Record("executors", "a", 10, now.Add(-50*time.Second))
			h.Record("executors", "b", 10, now.Add(-10*time.Second))
		}, ReasonRateLimited},
		{"rate window slid", base("ReplicaSet"), func(h *History) {
			h.Record("executors", "a", 10, now.Add(-61*time.Second))
			h.Record("executors", "b", 10, now.Add(-10*time.Second))
		}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistory()
			if tt.history != nil {
				tt.history(h)
			}
			p := &Planner{Now: now, History: h}
			at, ok := Locate(set, tt.pod, node("f1", "fallback01", "4"), policy.Namespace{Name: "batch"})
			if !ok {
				t.Fatal("Locate found no rebalance")
			}
			d, goOn := p.Screen(tt.pod, at)
			if d.Reason != tt.want || goOn != (tt.want == "") {
				t.Errorf("Screen() = %q (%s), go on %v; want %q", d.Reason, d.Detail, goOn, tt.want)
			}
		})
	}
}

func TestPlace(t *testing.T) {
	set := loadSet(t)
	tmpl := template("executor", "2")
	stored := running(t, set, "p", tmpl, "ReplicaSet", "f1", now.Add(-time.Hour))
	with := func(edit func(*corev1.Pod)) *corev1.Pod {
		p := tmpl.DeepCopy()
		edit(p)
		return p
	}
	fallback := node("f1", "fallback01", "8")
	tests := []struct {
		name       string
		nodes      []*corev1.Node
		bound      []*corev1.Pod
		template   *corev1.Pod
		stored     *corev1.Pod
		want       Reason
		wantTarget string
		detail     string
	}{
		{"room on the best pool", []*corev1.Node{fallback, node("s1", "special01", "4")}, nil, tmpl, stored, "", "s1", `moved from pool "fallback01" to "special01": node s1 has room`},
		{"best pool first, then by name", []*corev1.Node{node("m2", "mid", "4"), node("s2", "special01", "4"), node("s1", "special01", "4")}, nil, tmpl, stored, "", "s1", ""},
		{"best pool full", []*corev1.Node{fallback, node("s1", "special01", "4")},
			[]*corev1.Pod{running(t, set, "q", template("other", "3"), "ReplicaSet", "s1", now)}, tmpl, stored, ReasonNoRoom, "", "cpu short 1"},
		{"only the fallback pool has room", []*corev1.Node{fallback}, nil, tmpl, stored, ReasonNoRoom, "", `no node of a better pool than "fallback01"`},
		{"untolerated taint on the better node", []*corev1.Node{func() *corev1.Node {
			n := node("s1", "special01", "4")
			n.Spec.Taints = append(n.Spec.Taints, corev1.Taint{Key: "gpu", Effect: corev1.TaintEffectNoSchedule})
			return n
		}()}, nil, tmpl, stored, ReasonNoRoom, "", "untolerated taint gpu:NoSchedule"},
		{"cordoned better node", []*corev1.Node{func() *corev1.Node { n := node("s1", "special01", "4"); n.Spec.Unschedulable = true; return n }()},
			nil, tmpl, stored, ReasonNoRoom, "", "cordoned"},
		{"required affinity unmet", []*corev1.Node{node("s1", "special01", "4")}, nil, with(func(p *corev1.Pod) {
			p.Spec.NodeSelector = map[string]string{"disk": "ssd"}
		}), stored, ReasonNoRoom, "", "nodeSelector disk=ssd unmet"},
		{"pod anti-affinity", []*corev1.Node{node("s1", "special01", "4")}, nil, with(func(p *corev1.Pod) {
			p.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{}}
		}), stored, ReasonUnverifiable, "", ""},
		{"hard topology spread", []*corev1.Node{node("s1", "special01", "4")}, nil, with(func(p *corev1.Pod) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.DoNotSchedule}}
		}), stored, ReasonUnverifiable, "", ""},
		{"soft topology spread is no obstacle", []*corev1.Node{node("s1", "special01", "4")}, nil, with(func(p *corev1.Pod) {
			p.Spec.TopologySpreadConstraints = []corev1.TopologySpreadConstraint{{MaxSkew: 1, TopologyKey: "zone", WhenUnsatisfiable: corev1.ScheduleAnyway}}
		}), stored, "", "s1", ""},
		{"host port", []*corev1.Node{node("s1", "special01", "4")}, nil, with(func(p *corev1.Pod) {
			p.Spec.Containers[0].Ports = []corev1.ContainerPort{{ContainerPort: 80, HostPort: 80}}
		}), stored, ReasonUnverifiable, "", ""},
		{"a StatefulSet's claim on the stored pod", []*corev1.Node{node("s1", "special01", "4")}, nil, tmpl, func() *corev1.Pod {
			p := stored.DeepCopy()
			p.Spec.Volumes = append(p.Spec.Volumes, corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{
				PersistentVolumeClaim: &corev1.PersistentVolumeClaimVolumeSource{ClaimName: "data-p-0"}}})
			return p
		}(), ReasonUnverifiable, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := &Planner{Now: now, Nodes: tt.nodes, Usage: explain.BoundUsage(tt.bound), History: NewHistory()}
			at, _ := Locate(set, tt.stored, fallback, policy.Namespace{Name: "batch"})
			d := p.Place(tt.stored, replacementOf(set, tt.template), at)
			target := ""
			if d.Target != nil {
				target = d.Target.Name
			}
			if d.Evict != (tt.want == "") || d.Reason != tt.want || target != tt.wantTarget || !strings.Contains(d.Detail, tt.detail) {
				t.Errorf("Place() = evict %v reason %q target %q detail %q; want reason %q target %q detail ~%q",
					d.Evict, d.Reason, target, d.Detail, tt.want, tt.wantTarget, tt.detail)
			}
		})
	}
}

// TestPlaceReserves checks that one pass never promises the same room
// twice: room for one pod moves one.
func TestPlaceReserves(t *testing.T) {
	set := loadSet(t)
	tmpl := template("executor", "3")
	p := &Planner{Now: now, Nodes: []*corev1.Node{node("s1", "special01", "4")}, Usage: explain.BoundUsage(nil), History: NewHistory()}
	var reasons []Reason
	for _, name := range []string{"a", "b"} {
		stored := running(t, set, name, tmpl, "ReplicaSet", "f1", now.Add(-time.Hour))
		at, _ := Locate(set, stored, node("f1", "fallback01", "8"), policy.Namespace{Name: "batch"})
		reasons = append(reasons, p.Place(stored, replacementOf(set, tmpl), at).Reason)
	}
	if reasons[0] != "" || reasons[1] != ReasonNoRoom {
		t.Errorf("reasons = %q, want the first moved and the second no-room", reasons)
	}
}

func TestGuard(t *testing.T) {
	set := loadSet(t)
	weightOf := func(p *corev1.Pod) (int32, bool) {
		at, ok := Locate(set, p, node(p.Spec.NodeName, map[string]string{"s1": "special01", "f1": "fallback01"}[p.Spec.NodeName], "4"),
			policy.Namespace{Name: "batch"})
		return at.Weight, ok
	}
	owner := types.UID("owner-ReplicaSet")
	evictedAt := now.Add(-30 * time.Second)
	replacement := func(nodeName string, created time.Time) *corev1.Pod {
		return running(t, set, "new", template("executor", "1"), "ReplicaSet", nodeName, created.Add(time.Second))
	}
	tests := []struct {
		name        string
		pods        []*corev1.Pod
		at          time.Time
		wantBackoff bool
		wantGuard   bool
	}{
		{"replacement on the better pool", []*corev1.Pod{replacement("s1", evictedAt)}, now, false, true},
		{"replacement back on the fallback", []*corev1.Pod{replacement("f1", evictedAt)}, now, true, false},
		{"replacement still pending", []*corev1.Pod{replacement("", evictedAt)}, now, false, true},
		{"an older pod on the fallback is no replacement", []*corev1.Pod{replacement("f1", evictedAt.Add(-time.Hour))}, now, false, true},
		{"guard window over", []*corev1.Pod{replacement("f1", evictedAt)}, evictedAt.Add(guardWindow), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := NewHistory()
			h.Record("executors", owner, 10, evictedAt)
			got := h.Guard(map[types.UID][]*corev1.Pod{owner: tt.pods}, weightOf, tt.at, time.Hour)
			if (len(got) == 1) != tt.wantBackoff {
				t.Errorf("Guard() backed off %v, want back-off %v", got, tt.wantBackoff)
			}
			if h.BackedOff(owner, tt.at.Add(59*time.Minute)) != tt.wantBackoff {
				t.Errorf("BackedOff() within the hour != %v", tt.wantBackoff)
			}
			if h.BackedOff(owner, tt.at.Add(time.Hour)) {
				t.Error("BackedOff() after the hour = true")
			}
			if _, ok := h.guards[owner]; ok != tt.wantGuard {
				t.Errorf("guard kept = %v, want %v", ok, tt.wantGuard)
			}
		})
	}
}
