package webhook

import (
	"context"
	"net/http"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// fromConfigMap loads data as the ConfigMap source does from the fixture's
// ConfigMap, whose one key is policies.yaml.
func fromConfigMap(_ string, data []byte) (*policy.Set, error) {
	return policy.LoadConfigMap(map[string]string{"policies.yaml": string(data)})
}

// fixedNamespace answers every lookup with one namespace.
type fixedNamespace policy.Namespace

func (n fixedNamespace) Lookup(context.Context, string) (policy.Namespace, error) {
	return policy.Namespace(n), nil
}

// stepReloadUnderLoad: TestReloadUnderLoad with the policy ConfigMap as the
// source, replaced through the API server 100 times while pods of the team
// namespace are admitted at a steady rate.
func stepReloadUnderLoad(t *testing.T, f *clusterFixture) {
	soak := soakFor(t, 0)
	ns, err := f.client.CoreV1().Namespaces().Get(t.Context(), teamNamespace, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	write := func(data []byte) {
		if err := f.update(t, string(data), nil); err != nil {
			t.Fatalf("update ConfigMap: %v", err)
		}
	}
	gens := generations{}
	first := policyVersion(t, 0)
	gens.add(t, fromConfigMap, "", first)
	write(first)
	pods := soakPods(t)
	for _, p := range pods {
		p.Namespace = teamNamespace
	}
	load := newLoadGenerator(t, f.srv.client.Transport.(*http.Transport).TLSClientConfig.Clone(),
		f.srv.webhook+MutatePodsPath, pods, 100)
	waitForGeneration(t, f.srv, load, gens)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan *loadRun, 1)
	go func() { done <- load.run(ctx) }()
	accepted, rejected := replaceUnderLoad(t, soak, fromConfigMap, "", write, gens)
	cancel()
	run := <-done
	run.report(t, "ConfigMap reload under load")
	t.Logf("ConfigMap reload under load: %d replacements (%d loaded, %d rejected), %d generations served",
		accepted+rejected, accepted, rejected, len(servedGenerations(run)))
	run.requireNoFailures(t)
	checkGenerations(t, run, load, gens, fixedNamespace{Name: ns.Name, Labels: ns.Labels})
}

// waitForGeneration waits until the server answers with a generation of gens.
func waitForGeneration(t *testing.T, srv *testServer, load *loadGenerator, gens generations) {
	t.Helper()
	eventually(t, "first version serving", func() error {
		resp := srv.post(t, MutatePodsPath, load.bodies[0])
		if _, ok := gens[resp.AuditAnnotations[AuditGeneration]]; !ok {
			return errNotYet
		}
		return nil
	})
}
