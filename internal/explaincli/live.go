package explaincli

import (
	"context"
	"fmt"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"

	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/policy"
)

// NodePoolResource is Karpenter's NodePool API.
var NodePoolResource = schema.GroupVersionResource{Group: "karpenter.sh", Version: "v1", Resource: "nodepools"}

// Live explains stored pods with what a cluster holds now.
type Live struct {
	Client  kubernetes.Interface
	Dynamic dynamic.Interface
	// PolicyConfigMap is NAMESPACE/NAME of the policy ConfigMap; Set, when
	// not nil, is used instead.
	PolicyConfigMap string
	Set             *policy.Set
}

// NewLive builds the clients from a REST config.
func NewLive(cfg *rest.Config, policyConfigMap string) (*Live, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("client: %w", err)
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("dynamic client: %w", err)
	}
	return &Live{Client: cs, Dynamic: dyn, PolicyConfigMap: policyConfigMap}, nil
}

// Report explains the stored pod namespace/name.
func (l *Live) Report(ctx context.Context, namespace, name string) (explain.Report, error) {
	pod, err := l.Client.CoreV1().Pods(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return explain.Report{}, fmt.Errorf("get pod %s/%s: %w", namespace, name, err)
	}
	ns, err := l.Client.CoreV1().Namespaces().Get(ctx, namespace, metav1.GetOptions{})
	if err != nil {
		return explain.Report{}, fmt.Errorf("get namespace %s: %w", namespace, err)
	}
	set, err := l.policies(ctx)
	if err != nil {
		return explain.Report{}, err
	}
	c, err := l.cluster(ctx, namespace)
	if err != nil {
		return explain.Report{}, err
	}
	return Explain(pod, set, Namespace(namespace, ns.Labels), c, true), nil
}

// policies loads the policy ConfigMap; a missing one means no policies,
// as for the webhook.
func (l *Live) policies(ctx context.Context) (*policy.Set, error) {
	if l.Set != nil {
		return l.Set, nil
	}
	ns, name, ok := strings.Cut(l.PolicyConfigMap, "/")
	if !ok || ns == "" || name == "" {
		return nil, fmt.Errorf("policy ConfigMap %q is not NAMESPACE/NAME", l.PolicyConfigMap)
	}
	cm, err := l.Client.CoreV1().ConfigMaps(ns).Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return policy.Load()
	}
	if err != nil {
		return nil, fmt.Errorf("get policy ConfigMap %s: %w", l.PolicyConfigMap, err)
	}
	set, err := policy.Load(policy.ConfigMapSources(cm.Data)...)
	if err != nil {
		return nil, fmt.Errorf("policy ConfigMap %s: %w", l.PolicyConfigMap, err)
	}
	return set, nil
}

// cluster reads the Nodes, the pods bound to them, the namespace's
// Services and the NodePools (none when the CRD is not installed).
func (l *Live) cluster(ctx context.Context, namespace string) (Cluster, error) {
	var c Cluster
	nodes, err := l.Client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return c, fmt.Errorf("list nodes: %w", err)
	}
	c.Nodes = nodes.Items
	pods, err := l.Client.CoreV1().Pods("").List(ctx, metav1.ListOptions{FieldSelector: "spec.nodeName!="})
	if err != nil {
		return c, fmt.Errorf("list pods: %w", err)
	}
	c.Pods = pods.Items
	services, err := l.Client.CoreV1().Services(namespace).List(ctx, metav1.ListOptions{})
	if err != nil {
		return c, fmt.Errorf("list services: %w", err)
	}
	c.Services = services.Items
	c.NodePools, err = l.nodePools(ctx)
	return c, err
}

func (l *Live) nodePools(ctx context.Context) ([]explain.NodePool, error) {
	list, err := l.Dynamic.Resource(NodePoolResource).List(ctx, metav1.ListOptions{})
	if apierrors.IsNotFound(err) || meta.IsNoMatchError(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list nodepools: %w", err)
	}
	var out []explain.NodePool
	for _, item := range list.Items {
		np, err := explain.NodePoolFromObject(item.Object)
		if err != nil {
			return nil, fmt.Errorf("nodepool %s: %w", item.GetName(), err)
		}
		out = append(out, np)
	}
	return out, nil
}
