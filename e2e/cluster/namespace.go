package cluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// pollEvery is the polling interval of the harness's wait helpers.
const pollEvery = 100 * time.Millisecond

// CreateNamespace creates a namespace with labels and waits until the
// controller manager has created its `default` ServiceAccount: before that
// the ServiceAccount admission plugin rejects every pod in it.
func (c *Cluster) CreateNamespace(ctx context.Context, name string, labels map[string]string) (*corev1.Namespace, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels}}
	if err := c.cl.Create(ctx, ns); err != nil {
		return nil, fmt.Errorf("create namespace %s: %w", name, err)
	}
	if err := c.waitServiceAccount(ctx, name); err != nil {
		return nil, err
	}
	return ns, nil
}

// waitServiceAccount waits for the `default` ServiceAccount of namespace.
func (c *Cluster) waitServiceAccount(ctx context.Context, namespace string) error {
	key := client.ObjectKey{Namespace: namespace, Name: "default"}
	err := wait.PollUntilContextTimeout(ctx, pollEvery, c.opts.StartTimeout, true, func(ctx context.Context) (bool, error) {
		err := c.cl.Get(ctx, key, &corev1.ServiceAccount{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("default ServiceAccount in namespace %s: %w", namespace, err)
	}
	return nil
}
