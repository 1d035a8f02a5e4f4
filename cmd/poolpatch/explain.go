package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"k8s.io/client-go/tools/clientcmd"

	"github.com/poolpatch/poolpatch/explain"
	"github.com/poolpatch/poolpatch/internal/explaincli"
	"github.com/poolpatch/poolpatch/internal/manifest"
	"github.com/poolpatch/poolpatch/policy"
)

const explainUsage = `Usage:
  poolpatch explain -p POLICIES... -f MANIFEST --nodes NODES [--pods PODS] [--nodepools NODEPOOLS] [flags]
  poolpatch explain pod NAME -n NAMESPACE [--kubeconfig PATH] [--policy-configmap NS/NAME] [-p POLICIES...]

Where a pod can run, and why: the policies that matched and the criterion
that decided, what each setting added or skipped, every Node feasible or not
(first reason) with its NodeAffinity score, every NodePool, and a verdict.
Offline it explains each Pod and workload template of MANIFEST against Nodes
as 'kubectl get nodes -o yaml' prints them (and the bound pods of --pods);
live it reads the stored pod, Nodes, bound pods, Services, NodePools and
the policy ConfigMap. Exit 1 for invalid policies, 2 for unreadable input.

Flags:
`

// explainFlags are the flags of explain.
type explainFlags struct {
	policies                                  stringList
	file, nodes, pods, nodePools              string
	namespace, nsLabels, output               string
	kubeconfig, policyConfigMap, podNamespace string
}

func (f *explainFlags) register(fs *flag.FlagSet) {
	fs.Var(&f.policies, "p", "PoolPolicy stream or policy ConfigMap manifest (repeatable; live: instead of the ConfigMap)")
	fs.StringVar(&f.file, "f", "", "offline: manifest of pods or workloads to explain")
	fs.StringVar(&f.nodes, "nodes", "", "offline: Nodes, as kubectl get nodes -o yaml prints them")
	fs.StringVar(&f.pods, "pods", "", "offline: pods bound to the Nodes (they use resources)")
	fs.StringVar(&f.nodePools, "nodepools", "", "offline: Karpenter NodePools")
	fs.StringVar(&f.namespace, "namespace", "default", "offline: namespace of documents that name none")
	fs.StringVar(&f.nsLabels, "namespace-labels", "", "offline: labels of every namespace involved, k=v,...")
	fs.StringVar(&f.output, "o", "text", "output: text or json")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "live: kubeconfig (default: $KUBECONFIG, ~/.kube/config, in-cluster)")
	fs.StringVar(&f.policyConfigMap, "policy-configmap", "poolpatch-system/poolpatch-policies", "live: the policy ConfigMap, NAMESPACE/NAME")
	fs.StringVar(&f.podNamespace, "n", "default", "live: the pod's namespace")
}

// runExplain explains pods offline or live and prints the reports.
func runExplain(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explain", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var f explainFlags
	f.register(fs)
	fs.Usage = func() { fmt.Fprint(stderr, explainUsage); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return exitUnreadableFile
	}
	rest := fs.Args()
	// Flags may follow "pod NAME", as kubectl users write them.
	if len(rest) >= 2 && rest[0] == "pod" {
		if err := fs.Parse(rest[2:]); err != nil {
			return exitUnreadableFile
		}
		rest = append(rest[:2:2], fs.Args()...)
	}
	if f.output != "text" && f.output != "json" {
		fmt.Fprintf(stderr, "poolpatch explain: unknown output format %q (text or json)\n", f.output)
		return exitUnreadableFile
	}
	var reports []explain.Report
	code := exitOK
	switch {
	case len(rest) == 2 && rest[0] == "pod":
		reports, code = explainLive(ctx, f, rest[1], stderr)
	case len(rest) == 0 && f.file != "" && f.nodes != "" && len(f.policies) > 0:
		reports, code = explainOffline(f, stderr)
	default:
		fs.Usage()
		return exitUnreadableFile
	}
	if code != exitOK {
		return code
	}
	if err := printReports(stdout, reports, f.output); err != nil {
		fmt.Fprintf(stderr, "poolpatch explain: %v\n", err)
		return exitUnreadableFile
	}
	return exitOK
}

func explainOffline(f explainFlags, stderr io.Writer) ([]explain.Report, int) {
	labels, err := parseLabels(f.nsLabels)
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch explain: --namespace-labels: %v\n", err)
		return nil, exitUnreadableFile
	}
	set, err := loadPolicyFiles(f.policies)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, exitInvalidPolicy
	}
	off := explaincli.Offline{Set: set, DefaultNamespace: f.namespace, NamespaceLabels: labels}
	docs, err := readInputs(f, &off.Cluster)
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch explain: %v\n", err)
		return nil, exitUnreadableFile
	}
	reports, err := off.Reports(docs)
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch explain: %v\n", err)
		return nil, exitUnreadableFile
	}
	return reports, exitOK
}

// readInputs reads the manifest and the cluster files.
func readInputs(f explainFlags, c *explaincli.Cluster) ([]manifest.Document, error) {
	data, err := os.ReadFile(f.file)
	if err != nil {
		return nil, fmt.Errorf("read manifest: %w", err)
	}
	docs, err := manifest.Read(f.file, data)
	if err != nil {
		return nil, err
	}
	if c.Nodes, err = readFile(f.nodes, explaincli.ReadNodes); err != nil {
		return nil, err
	}
	if f.pods != "" {
		if c.Pods, err = readFile(f.pods, explaincli.ReadPods); err != nil {
			return nil, err
		}
	}
	if f.nodePools != "" {
		if c.NodePools, err = readFile(f.nodePools, explaincli.ReadNodePools); err != nil {
			return nil, err
		}
	}
	return docs, nil
}

func readFile[T any](path string, read func(string, []byte) ([]T, error)) ([]T, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return read(path, data)
}

func explainLive(ctx context.Context, f explainFlags, name string, stderr io.Writer) ([]explain.Report, int) {
	var set *policy.Set
	if len(f.policies) > 0 {
		var err error
		if set, err = loadPolicyFiles(f.policies); err != nil {
			fmt.Fprintln(stderr, err)
			return nil, exitInvalidPolicy
		}
	}
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	rules.ExplicitPath = f.kubeconfig
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{}).ClientConfig()
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch explain: kubeconfig: %v\n", err)
		return nil, exitUnreadableFile
	}
	live, err := explaincli.NewLive(cfg, f.policyConfigMap)
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch explain: %v\n", err)
		return nil, exitUnreadableFile
	}
	live.Set = set
	report, err := live.Report(ctx, f.podNamespace, name)
	if errors.Is(err, policy.ErrInvalid) {
		fmt.Fprintf(stderr, "poolpatch explain: %v\n", err)
		return nil, exitInvalidPolicy
	}
	if err != nil {
		fmt.Fprintf(stderr, "poolpatch explain: %v\n", err)
		return nil, exitUnreadableFile
	}
	return []explain.Report{report}, exitOK
}

// printReports prints text reports separated by a blank line, or JSON: one
// object for one report, an array for several.
func printReports(w io.Writer, reports []explain.Report, format string) error {
	if format == "json" {
		var v any = reports
		if len(reports) == 1 {
			v = reports[0]
		}
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	for i, r := range reports {
		if i > 0 {
			if _, err := fmt.Fprintln(w); err != nil {
				return err
			}
		}
		if err := r.WriteText(w); err != nil {
			return err
		}
	}
	return nil
}
