package chart

import "testing"

// valueSets are the values the chart is linted, rendered and applied with.
var valueSets = []struct {
	name   string   // golden file base name
	values []string // values files
}{
	{name: "default"},
	{name: "nocertmanager", values: []string{valuesFile("nocertmanager.yaml")}},
	{name: "all", values: []string{valuesFile("all.yaml")}},
}

func TestHelmLint(t *testing.T) {
	for _, vs := range valueSets {
		t.Run(vs.name, func(t *testing.T) {
			args := []string{"lint", chartDir, "--strict", "--namespace", releaseNamespace, "--kube-version", kubeVersion}
			for _, v := range vs.values {
				args = append(args, "--values", v)
			}
			if out, err := runTool(t, "helm", "", args...); err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
		})
	}
}
