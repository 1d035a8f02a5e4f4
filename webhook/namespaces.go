package webhook

import (
	"context"
	"errors"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	corelisters "k8s.io/client-go/listers/core/v1"

	"github.com/poolpatch/poolpatch/policy"
)

// liveGetTimeout bounds the GET of a namespace the cache has not seen yet.
const liveGetTimeout = 2 * time.Second

// ErrNamespace is wrapped when a pod's namespace cannot be read.
var ErrNamespace = errors.New("namespace lookup failed")

// NamespaceLookup tells the engine what it needs of a pod's namespace.
type NamespaceLookup interface {
	Lookup(ctx context.Context, name string) (policy.Namespace, error)
}

// noClusterNamespaces serves a server without a cluster: a namespace has only
// the label the API server puts on every namespace.
type noClusterNamespaces struct{}

// Lookup returns the namespace with only its kubernetes.io/metadata.name label.
func (noClusterNamespaces) Lookup(_ context.Context, name string) (policy.Namespace, error) {
	return policy.NamespaceOf(name, nil, nil), nil
}

// clusterNamespaces reads namespace labels and LimitRanges from informer
// caches. A namespace not yet in the cache (created a moment ago) is read
// with a live GET, so its first pods are not silently missed.
type clusterNamespaces struct {
	namespaces  corelisters.NamespaceLister
	limitRanges corelisters.LimitRangeLister
	get         func(ctx context.Context, name string) (*corev1.Namespace, error)
}

// Lookup returns the namespace's labels and the Container minimum of its
// LimitRanges.
func (c *clusterNamespaces) Lookup(ctx context.Context, name string) (policy.Namespace, error) {
	ns, err := c.namespaces.Get(name)
	if apierrors.IsNotFound(err) {
		getCtx, cancel := context.WithTimeout(ctx, liveGetTimeout)
		defer cancel()
		ns, err = c.get(getCtx, name)
	}
	if err != nil {
		return policy.Namespace{}, fmt.Errorf("%w: %s: %w", ErrNamespace, name, err)
	}
	ranges, err := c.limitRanges.LimitRanges(name).List(labels.Everything())
	if err != nil {
		return policy.Namespace{}, fmt.Errorf("%w: %s: limit ranges: %w", ErrNamespace, name, err)
	}
	return policy.NamespaceOf(name, ns.Labels, ranges), nil
}

// getNamespace adapts a typed client's Get to clusterNamespaces.get.
func getNamespace(client interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (*corev1.Namespace, error)
}) func(ctx context.Context, name string) (*corev1.Namespace, error) {
	return func(ctx context.Context, name string) (*corev1.Namespace, error) {
		return client.Get(ctx, name, metav1.GetOptions{})
	}
}
