package controller

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"
)

// Defaults of the writers' flags.
const (
	DefaultMaxHeadroomChunks = 10
	DefaultLeaderElectionID  = "poolpatch-writers"
)

// ErrInvalidOptions is wrapped by every error Validate returns.
var ErrInvalidOptions = errors.New("invalid writer options")

// Options configures the writers of `poolpatch serve`. They are off unless
// a writer is enabled.
type Options struct {
	// Headroom enables the headroom writer (--headroom).
	Headroom bool
	// HeadroomMode is capacitybuffer (default) or placeholder (--headroom-mode).
	HeadroomMode string
	// MaxHeadroomChunks caps the chunks of the whole policy set (--max-headroom-chunks).
	MaxHeadroomChunks int
	// HeadroomImage runs the placeholder container (--headroom-image);
	// empty means the prepull helper image.
	HeadroomImage string
	// HeadroomPriorityClass is the placeholders' PriorityClass (--headroom-priority-class).
	HeadroomPriorityClass string
	// Namespace is poolpatch's own namespace, where the writers' objects and
	// Lease live (--namespace, default $POD_NAMESPACE).
	Namespace string
	// OwnerDeployment is poolpatch's Deployment, owner of the objects
	// written (--owner-deployment); empty means no owner.
	OwnerDeployment string
	// LeaderElectionID names the writers' Lease (--leader-election-id).
	LeaderElectionID string
	// Rebalance enables the rebalancer (--rebalance).
	Rebalance bool
	// RebalanceInterval is how often it looks at the pods
	// (--rebalance-interval); RebalanceBackoff how long it leaves an owner
	// alone after a replacement landed on no better pool (--rebalance-backoff).
	RebalanceInterval, RebalanceBackoff time.Duration

	// Elector and HeadroomWriter timings, for tests; zero means defaults.
	Elector Elector
	Writer  HeadroomWriter
}

// RegisterFlags binds the writers' flags to o, with their defaults, on fs.
func (o *Options) RegisterFlags(fs *flag.FlagSet) {
	fs.BoolVar(&o.Headroom, "headroom", false,
		"keep the policies' headroom (leader-elected writer; needs a cluster and the chart's headroom RBAC)")
	fs.StringVar(&o.HeadroomMode, "headroom-mode", string(ModeCapacityBuffer),
		"capacitybuffer (PodTemplate + CapacityBuffer per policy) or placeholder (a Deployment of low-priority pods)")
	fs.IntVar(&o.MaxHeadroomChunks, "max-headroom-chunks", DefaultMaxHeadroomChunks,
		"most headroom chunks the whole policy set may ask for; a set asking more writes nothing")
	fs.StringVar(&o.HeadroomImage, "headroom-image", "",
		"image of the placeholder container, whose prepull binary sleeps (default: --prepull-helper-image)")
	fs.StringVar(&o.HeadroomPriorityClass, "headroom-priority-class", DefaultPriorityClass,
		"PriorityClass of the placeholder pods")
	fs.StringVar(&o.Namespace, "namespace", os.Getenv("POD_NAMESPACE"),
		"poolpatch's namespace, where the writers keep their objects and Lease (default $POD_NAMESPACE)")
	fs.StringVar(&o.OwnerDeployment, "owner-deployment", "",
		"poolpatch's Deployment, owner of the objects the writers keep (uninstalling removes them)")
	fs.StringVar(&o.LeaderElectionID, "leader-election-id", DefaultLeaderElectionID,
		"name of the writers' Lease")
	fs.BoolVar(&o.Rebalance, "rebalance", false,
		"move pods of policies with rebalance back to a better pool (leader-elected evictions; needs the chart's rebalance RBAC)")
	fs.DurationVar(&o.RebalanceInterval, "rebalance-interval", DefaultRebalanceInterval,
		"how often the rebalancer looks at the pods")
	fs.DurationVar(&o.RebalanceBackoff, "rebalance-backoff", DefaultRebalanceBackoff,
		"how long the rebalancer leaves an owner alone after a replacement pod landed on no better pool")
}

// Enabled reports whether any writer runs.
func (o *Options) Enabled() bool { return o.Headroom || o.Rebalance }

// Validate checks the options of the enabled writers.
func (o *Options) Validate() error {
	if !o.Enabled() {
		return nil
	}
	switch Mode(o.HeadroomMode) {
	case ModeCapacityBuffer, ModePlaceholder:
	default:
		return fmt.Errorf("%w: --headroom-mode %q (want capacitybuffer or placeholder)", ErrInvalidOptions, o.HeadroomMode)
	}
	if o.MaxHeadroomChunks < 0 {
		return fmt.Errorf("%w: --max-headroom-chunks %d is negative", ErrInvalidOptions, o.MaxHeadroomChunks)
	}
	if o.Namespace == "" {
		return fmt.Errorf("%w: the writers need --namespace (or $POD_NAMESPACE)", ErrInvalidOptions)
	}
	if o.Rebalance && (o.RebalanceInterval < time.Second || o.RebalanceBackoff < 0) {
		return fmt.Errorf("%w: --rebalance-interval %s must be at least 1s and --rebalance-backoff %s not negative",
			ErrInvalidOptions, o.RebalanceInterval, o.RebalanceBackoff)
	}
	for flagName, value := range map[string]string{"namespace": o.Namespace, "leader-election-id": o.LeaderElectionID} {
		if msgs := validation.IsDNS1123Label(value); len(msgs) > 0 {
			return fmt.Errorf("%w: --%s %q: %s", ErrInvalidOptions, flagName, value, msgs[0])
		}
	}
	if o.OwnerDeployment != "" {
		if msgs := validation.IsDNS1123Subdomain(o.OwnerDeployment); len(msgs) > 0 {
			return fmt.Errorf("%w: --owner-deployment %q: %s", ErrInvalidOptions, o.OwnerDeployment, msgs[0])
		}
	}
	return nil
}

// HeadroomConfig is the object configuration the options describe.
func (o *Options) HeadroomConfig(prepullImage string) Headroom {
	image := o.HeadroomImage
	if image == "" {
		image = prepullImage
	}
	return Headroom{Namespace: o.Namespace, Mode: Mode(o.HeadroomMode), MaxChunks: o.MaxHeadroomChunks,
		Image: image, PriorityClass: o.HeadroomPriorityClass}
}
