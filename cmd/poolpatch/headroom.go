package main

import (
	"errors"
	"flag"
	"fmt"
	"io"

	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/poolpatch/poolpatch/controller"
	"github.com/poolpatch/poolpatch/policy"
)

// runHeadroom prints, as a YAML stream, the objects that `serve --headroom`
// keeps for the policies: for GitOps users who run without the writers.
func runHeadroom(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("headroom", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var policies stringList
	fs.Var(&policies, "p", "PoolPolicy stream or policy ConfigMap manifest (repeatable)")
	namespace := fs.String("n", "poolpatch", "namespace of the objects: poolpatch's own")
	mode := fs.String("headroom-mode", string(controller.ModeCapacityBuffer), "capacitybuffer or placeholder")
	maxChunks := fs.Int("max-headroom-chunks", controller.DefaultMaxHeadroomChunks, "most chunks the policy set may ask for")
	image := fs.String("headroom-image", policy.DefaultPrepullHelperImage, "image of the placeholder container (poolpatch's image)")
	priorityClass := fs.String("headroom-priority-class", controller.DefaultPriorityClass, "PriorityClass of the placeholder pods")
	if err := fs.Parse(args); err != nil {
		return exitUnreadableFile
	}
	opts := controller.Options{Headroom: true, HeadroomMode: *mode, MaxHeadroomChunks: *maxChunks,
		HeadroomImage: *image, HeadroomPriorityClass: *priorityClass, Namespace: *namespace,
		LeaderElectionID: controller.DefaultLeaderElectionID}
	err := opts.Validate()
	if err == nil && (len(policies) == 0 || fs.NArg() > 0) {
		err = errors.New("-p is required, and no arguments are taken")
	}
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch headroom: %v\n", err)
		return exitUnreadableFile
	}
	set, ok := loadPoliciesWarning(policies, stderr)
	if !ok {
		return exitInvalidPolicy
	}
	h := opts.HeadroomConfig(*image)
	objs, warnings, err := h.Objects(set)
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch headroom: %v\n", err)
		return exitInvalidPolicy
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	var out []runtime.Object
	if h.Mode == controller.ModePlaceholder && len(objs) > 0 {
		out = append(out, controller.PriorityClass(h.PriorityClass))
	}
	for _, obj := range objs {
		out = append(out, obj)
	}
	if err := writeYAMLStream(stdout, out); err != nil {
		fmt.Fprintf(stderr, "poolpatch headroom: %v\n", err)
		return exitUnreadableFile
	}
	return exitOK
}

// writeYAMLStream prints the objects as YAML documents separated by ---.
func writeYAMLStream(w io.Writer, objs []runtime.Object) error {
	for i, obj := range objs {
		data, err := yaml.Marshal(obj)
		if err != nil {
			return fmt.Errorf("encode %T: %w", obj, err)
		}
		if i > 0 {
			if _, err := io.WriteString(w, "---\n"); err != nil {
				return err
			}
		}
		if _, err := w.Write(data); err != nil {
			return err
		}
	}
	return nil
}
