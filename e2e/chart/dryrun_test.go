package chart

import (
	"context"
	"fmt"
	"testing"
)

// TestServerSideDryRun applies every object the chart renders, for each set
// of values, with server-side apply in dry-run mode: the API server validates
// each one (including the cert-manager and ServiceMonitor custom resources
// against their CRD schemas) and persists nothing.
func TestServerSideDryRun(t *testing.T) {
	cl := getCluster(t)
	for i, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			ns := fmt.Sprintf("dryrun-%d", i)
			createNamespace(t, cl.client, ns, nil)
			objs := mustDecode(t, render(t, releaseName, ns, vs.values...))
			if len(objs) == 0 {
				t.Fatal("chart rendered no objects")
			}
			c, warns := warningClient(t, cl.cfg)
			for _, o := range objs {
				if err := applyObject(context.Background(), c, o, true); err != nil {
					t.Error(err)
				}
			}
			if w := warns.get(); len(w) > 0 {
				t.Errorf("API server warnings: %q", w)
			}
		})
	}
}
