package controller

import (
	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// Error reasons, in a word fit for a metric label.
const (
	ReasonCRDAbsent = "crd-absent"
	ReasonOverCap   = "over-cap"
	ReasonWrite     = "write-failed"
	ReasonOwner     = "owner-unknown"
	ReasonPanic     = "panic"
)

var (
	writerErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_writer_errors_total",
		Help: "Writer passes that failed, by writer and reason; each is retried with back-off.",
	}, []string{"writer", "reason"})
	writerPasses = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_writer_passes_total",
		Help: "Writer passes that brought the cluster in line with the policy set, by writer.",
	}, []string{"writer"})
	headroomChunks = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "poolpatch_headroom_chunks",
		Help: "Headroom chunks the objects written by the last successful pass ask for.",
	})
	leader = prometheus.NewGauge(prometheus.GaugeOpts{
		Name: "poolpatch_writers_leader",
		Help: "1 while this replica holds the writers' Lease, else 0.",
	})
)

func init() {
	ctrlmetrics.Registry.MustRegister(writerErrors, writerPasses, headroomChunks, leader)
}

var (
	rebalanceEvictions = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_rebalance_evictions_total",
		Help: "Pods evicted to move back to a better pool, by policy.",
	}, []string{"policy"})
	rebalanceSkips = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_rebalance_skips_total",
		Help: "Decisions to leave a pod on a lesser pool, by policy and reason; a pod left alone counts once per pass.",
	}, []string{"policy", "reason"})
	rebalanceBackoffs = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "poolpatch_rebalance_backoffs_total",
		Help: "Owners backed off because a replacement pod landed on no better pool, by policy.",
	}, []string{"policy"})
)

func init() {
	ctrlmetrics.Registry.MustRegister(rebalanceEvictions, rebalanceSkips, rebalanceBackoffs)
}
