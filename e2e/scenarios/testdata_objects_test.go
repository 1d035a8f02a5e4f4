package scenarios_test

import (
	"context"
	"fmt"
	"maps"
	"os"

	"github.com/poolpatch/poolpatch/internal/cases"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/poolpatch/poolpatch/e2e/scenarios"
	"github.com/poolpatch/poolpatch/internal/manifest"
)

// creatable are the kinds scenario 7 creates: pods and the workloads whose
// controllers create pods. Others (a Service, a SparkApplication without its
// CRD) are left out: poolpatch passes them through and they make no pods.
var creatable = map[string]bool{
	"Pod": true, "Deployment": true, "ReplicaSet": true, "StatefulSet": true,
	"Job": true, "CronJob": true, "DaemonSet": true,
}

// readObjects reads a testdata manifest's objects, List items one by one,
// ready to create: the fields a live object carries that a create must not
// (resourceVersion, uid, creationTimestamp, generation, status) removed.
func readObjects(file string) ([]manifest.Object, error) {
	path, err := scenarios.RepoPath("testdata", "pods", file)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	docs, err := manifest.Read(file, data)
	if err != nil {
		return nil, err
	}
	objects := manifest.Objects(docs)
	for _, obj := range objects {
		delete(obj, "status")
		if meta, ok := obj["metadata"].(manifest.Object); ok {
			for _, f := range []string{"resourceVersion", "uid", "creationTimestamp", "generation", "managedFields", "selfLink"} {
				delete(meta, f)
			}
		}
	}
	return objects, nil
}

// caseNamespaceLabels are the labels of a case's namespaces: its own and
// the opt-in label.
func caseNamespaceLabels(c cases.Case) map[string]string {
	labels := maps.Clone(c.NamespaceLabels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[scenarios.EnabledLabel] = "true"
	return labels
}

// createNamespaces creates each namespace the cases use, with its case's
// labels, failing when two cases want one namespace labelled differently.
func createNamespaces(ctx context.Context, examples []cases.Case) error {
	want := map[string]map[string]string{}
	for _, c := range examples {
		objects, err := readObjects(c.File)
		if err != nil {
			return err
		}
		for _, obj := range objects {
			ns := namespaceOf(obj)
			if have, ok := want[ns]; ok && !maps.Equal(have, caseNamespaceLabels(c)) {
				return fmt.Errorf("namespace %s: case %s wants labels %v, another case %v", ns, c.Name, caseNamespaceLabels(c), have)
			}
			want[ns] = caseNamespaceLabels(c)
		}
	}
	for ns, labels := range want {
		if _, err := env.Cluster.CreateNamespace(ctx, ns, labels); err != nil {
			return err
		}
	}
	return nil
}

// namespaceOf is an object's namespace ("default" when it names none).
func namespaceOf(obj manifest.Object) string {
	meta, _ := obj["metadata"].(manifest.Object)
	if ns, _ := meta["namespace"].(string); ns != "" {
		return ns
	}
	return "default"
}

// ensureServiceAccount creates the ServiceAccount a pod or template names,
// since the ServiceAccount admission plugin rejects pods whose account does
// not exist: the testdata manifests come from clusters that have them.
func ensureServiceAccount(ctx context.Context, namespace string, spec *corev1.PodSpec) error {
	name := spec.ServiceAccountName
	if name == "" {
		name = spec.DeprecatedServiceAccount
	}
	if name == "" || name == "default" {
		return nil
	}
	sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: namespace, Name: name}}
	if err := env.Cluster.Client().Create(ctx, sa); err != nil && !apierrors.IsAlreadyExists(err) {
		return fmt.Errorf("create service account %s/%s: %w", namespace, name, err)
	}
	return nil
}
