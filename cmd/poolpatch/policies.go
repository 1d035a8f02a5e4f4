package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"

	"gopkg.in/yaml.v3"

	"github.com/poolpatch/poolpatch/policy"
)

// loadPoliciesWarning loads the policy files as one set and prints its
// validation warnings, or prints why the set is invalid and reports false.
func loadPoliciesWarning(paths []string, stderr io.Writer) (*policy.Set, bool) {
	set, err := loadPolicyFiles(paths)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, false
	}
	for _, w := range set.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	return set, true
}

// loadPolicyFiles loads PoolPolicy streams, or ConfigMap manifests holding
// them as deployed (each key is then named file[key] in errors).
func loadPolicyFiles(paths []string) (*policy.Set, error) {
	var sources []policy.Source
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("read policies: %w", err)
		}
		srcs, err := policySources(path, data)
		if err != nil {
			return nil, err
		}
		sources = append(sources, srcs...)
	}
	return policy.Load(sources...)
}

// maxConfigMapData is the API server's bound on a ConfigMap's data (1 MiB):
// a ConfigMap manifest over it could not be applied, and aliases in its
// data must not make more of it than that.
const maxConfigMapData = 1 << 20

// configMapDoc is what poolpatch reads of a ConfigMap manifest.
type configMapDoc struct {
	Kind string            `yaml:"kind"`
	Data map[string]string `yaml:"data"`
}

// policySources reads a file as ConfigMaps when its documents are
// ConfigMaps, and as one PoolPolicy stream otherwise.
func policySources(path string, data []byte) ([]policy.Source, error) {
	var sources []policy.Source
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var node yaml.Node
		err := dec.Decode(&node)
		if errors.Is(err, io.EOF) {
			return sources, nil
		}
		var doc configMapDoc
		if err == nil {
			err = node.Decode(&doc)
		}
		if err != nil || doc.Kind != "ConfigMap" {
			// Not a ConfigMap: the loader reads it and reports any mistake
			// with its position.
			return []policy.Source{{Name: path, Data: data}}, nil
		}
		size := 0
		for key, value := range doc.Data {
			size += len(key) + len(value)
		}
		if size > maxConfigMapData {
			at := node.Content[0] // a ConfigMap decoded, so the document has content
			return nil, fmt.Errorf("%s:%d:%d: ConfigMap data of %d bytes, over the API server's limit of %d: %w",
				path, at.Line, at.Column, size, maxConfigMapData, policy.ErrInvalid)
		}
		for _, src := range policy.ConfigMapSources(doc.Data) {
			src.Name = fmt.Sprintf("%s[%s]", path, src.Name)
			sources = append(sources, src)
		}
	}
}
