package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"

	admissionv1 "k8s.io/api/admission/v1"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/poolpatch/poolpatch/policy"
)

// TestStoreOneGenerationPerRequest swaps two sets while requests run: each
// answer's patch comes from the generation its audit annotation names.
func TestStoreOneGenerationPerRequest(t *testing.T) {
	store := NewStore(testLogger())
	teams := map[string]string{}
	sets := map[string]*policy.Set{}
	for _, team := range []string{"one", "two"} {
		set, err := policy.Load(policy.Source{Name: team, Data: annotationPolicy(team)})
		if err != nil {
			t.Fatal(err)
		}
		teams[set.Generation], sets[team] = team, set
	}
	load := func(team string) {
		if _, err := store.Update(team, func() (*policy.Set, error) { return sets[team], nil }); err != nil {
			t.Error(err)
		}
	}
	load("one")
	m := &PodMutator{Policies: store, Namespaces: noClusterNamespaces{}}
	pod := sparkExecutor(t)
	var req admission.Request
	var rev admissionv1.AdmissionReview
	if err := json.Unmarshal(podReview(t, pod, admissionv1.Create), &rev); err != nil {
		t.Fatal(err)
	}
	req.AdmissionRequest = *rev.Request

	var wg sync.WaitGroup
	stop := make(chan struct{})
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
				load([]string{"one", "two"}[i%2])
			}
		}
	}()
	for i := 0; i < 300; i++ {
		resp := m.Handle(context.Background(), req)
		gen := resp.AuditAnnotations[AuditGeneration]
		got := applyPatch(t, pod, &resp.AdmissionResponse).Annotations["example.com/team"]
		if got != teams[gen] {
			t.Fatalf("request %d: generation %s (team %q) but patch adds team %q", i, gen, teams[gen], got)
		}
	}
	close(stop)
	wg.Wait()
}

// TestStoreKeepsLastGood: a rejected load keeps the set serving and returns
// an error wrapping policy.ErrInvalid.
func TestStoreKeepsLastGood(t *testing.T) {
	store := NewStore(testLogger())
	if store.Loaded() || store.Current() != nil {
		t.Fatal("new store is not empty")
	}
	good, err := store.Update("good", func() (*policy.Set, error) {
		return policy.Load(policy.Source{Name: "good", Data: annotationPolicy("one")})
	})
	if err != nil {
		t.Fatal(err)
	}
	_, err = store.Update("bad", func() (*policy.Set, error) {
		return policy.Load(policy.Source{Name: "bad", Data: brokenPolicy})
	})
	if !errors.Is(err, policy.ErrInvalid) {
		t.Errorf("error %v does not wrap policy.ErrInvalid", err)
	}
	if store.Current() != good || !store.Loaded() {
		t.Errorf("last good set not kept")
	}
}
