package webhook

import (
	"context"
	"crypto/sha256"
	"fmt"
	"sort"
	"sync"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/informers"
	corelisters "k8s.io/client-go/listers/core/v1"
	"k8s.io/client-go/tools/cache"

	"github.com/poolpatch/poolpatch/policy"
)

// Event reasons on the policy ConfigMap.
const (
	// ReasonPolicyRejected: a version failed validation; the message holds
	// the positioned errors, and says whether the last good set keeps
	// serving or, with none yet, the replica stays unready.
	ReasonPolicyRejected = "PolicyRejected"
	// ReasonPolicyLoaded: a version was loaded; the message names its
	// generation.
	ReasonPolicyLoaded = "PolicyLoaded"
)

// maxEventMessage keeps an Event's message under the API server's limit.
const maxEventMessage = 1000

// configMapSource loads policies from one ConfigMap, watched through an
// informer whose list and watch carry a field selector on its name, so RBAC
// can be limited to that one object. A missing ConfigMap means no policies.
type configMapSource struct {
	namespace, name string
	store           *Store
	cluster         *cluster
	log             logr.Logger
	factory         informers.SharedInformerFactory
	lister          corelisters.ConfigMapLister
	synced          cache.InformerSynced

	mu   sync.Mutex
	last *[sha256.Size]byte // content of the last attempted load
}

func newConfigMapSource(namespace, name string, store *Store, c *cluster, log logr.Logger) (*configMapSource, error) {
	s := &configMapSource{namespace: namespace, name: name, store: store, cluster: c,
		log: log.WithValues("policyConfigMap", namespace+"/"+name)}
	s.factory = informers.NewSharedInformerFactoryWithOptions(c.client, 0,
		informers.WithNamespace(namespace),
		informers.WithTweakListOptions(func(o *metav1.ListOptions) {
			o.FieldSelector = fields.OneTermEqualSelector("metadata.name", name).String()
		}))
	inf := s.factory.Core().V1().ConfigMaps()
	s.lister, s.synced = inf.Lister(), inf.Informer().HasSynced
	_, err := inf.Informer().AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { s.reload() },
		UpdateFunc: func(any, any) { s.reload() },
		DeleteFunc: func(any) { s.reload() },
	})
	if err != nil {
		return nil, fmt.Errorf("watch policy ConfigMap: %w", err)
	}
	return s, nil
}

// Start runs the informer until ctx ends; the first load happens once its
// cache is filled, so that a missing ConfigMap is known to be missing.
func (s *configMapSource) Start(ctx context.Context) error {
	s.factory.Start(ctx.Done())
	defer s.factory.Shutdown()
	if !cache.WaitForCacheSync(ctx.Done(), s.synced) {
		return nil // shut down before the cache filled
	}
	s.reload()
	<-ctx.Done()
	return nil
}

// reload loads what the cache holds now. Events only say that something
// changed: reading the cache, not the event, makes late or repeated events
// harmless.
func (s *configMapSource) reload() {
	if !s.synced() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cm, err := s.lister.ConfigMaps(s.namespace).Get(s.name)
	if apierrors.IsNotFound(err) {
		cm, err = nil, nil
	}
	if err != nil {
		s.log.Error(err, "read policy ConfigMap from cache")
		return
	}
	var data map[string]string
	if cm != nil {
		data = cm.Data
	}
	sum := hashData(data)
	if s.last != nil && *s.last == sum {
		return
	}
	s.last = &sum
	s.load(cm, data)
}

// load loads the data and reports the outcome as an Event on the ConfigMap.
func (s *configMapSource) load(cm *corev1.ConfigMap, data map[string]string) {
	origin := "ConfigMap " + s.namespace + "/" + s.name
	if cm == nil {
		s.log.Info("policy ConfigMap not found: no policies")
	}
	set, err := s.store.Update(origin, func() (*policy.Set, error) { return policy.LoadConfigMap(data) })
	if cm == nil {
		return
	}
	if err != nil {
		outcome := "the last good set keeps serving"
		if s.store.Current() == nil {
			outcome = "no good set yet: this replica stays unready"
		}
		s.cluster.recorder.Event(cm, corev1.EventTypeWarning, ReasonPolicyRejected,
			truncate("policy set rejected, "+outcome+": "+err.Error(), maxEventMessage))
		return
	}
	s.cluster.recorder.Eventf(cm, corev1.EventTypeNormal, ReasonPolicyLoaded,
		"policy set loaded: generation %s, %d policies", set.Generation, set.Len())
}

// hashData hashes a ConfigMap's data, keys in order.
func hashData(data map[string]string) [sha256.Size]byte {
	keys := make([]string, 0, len(data))
	for k := range data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	for _, k := range keys {
		fmt.Fprintf(h, "%d:%s%d:%s", len(k), k, len(data[k]), data[k])
	}
	var sum [sha256.Size]byte
	copy(sum[:], h.Sum(nil))
	return sum
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n-3] + "..."
}
