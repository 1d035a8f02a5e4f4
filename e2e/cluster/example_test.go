package cluster_test

import (
	"context"
	"fmt"
	"log"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/poolpatch/poolpatch/e2e/cluster"
)

// Start a control plane, opt a namespace in, point the pod webhook at a
// local server and see where a pod lands. In a test, use StartForTest.
func ExampleStart() {
	ctx := context.Background()
	c, err := cluster.Start(ctx, cluster.Options{StopOnSignal: true})
	if err != nil {
		log.Fatal(err)
	}
	defer func() { _ = c.Stop() }()

	if _, err := c.CreateNamespace(ctx, "team-a", map[string]string{"poolpatch.io/enabled": "true"}); err != nil {
		log.Fatal(err)
	}
	var caPEM []byte // the local webhook server's CA
	if err := c.RegisterMutatingWebhook(ctx, "https://127.0.0.1:9443/mutate-pods", caPEM); err != nil {
		log.Fatal(err)
	}
	p := podIn("team-a", "app")
	if err := c.Client().Create(ctx, p); err != nil {
		log.Fatal(err)
	}
	bound, err := c.WaitScheduled(ctx, client.ObjectKeyFromObject(p))
	if err != nil {
		log.Fatal(err)
	}
	node, err := c.NodeOf(ctx, bound)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(cluster.PoolOf(node), cluster.ZoneOf(node))
}
