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

// policySources reads a file as ConfigMaps when its documents are
// ConfigMaps, and as one PoolPolicy stream otherwise.
func policySources(path string, data []byte) ([]policy.Source, error) {
	var maps []struct {
		Kind string            `yaml:"kind"`
		Data map[string]string `yaml:"data"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc struct {
			Kind string            `yaml:"kind"`
			Data map[string]string `yaml:"data"`
		}
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil || doc.Kind != "ConfigMap" {
			// Not a ConfigMap: the loader reads it and reports any mistake
			// with its position.
			return []policy.Source{{Name: path, Data: data}}, nil
		}
		maps = append(maps, doc)
	}
	var sources []policy.Source
	for _, cm := range maps {
		for _, src := range policy.ConfigMapSources(cm.Data) {
			src.Name = fmt.Sprintf("%s[%s]", path, src.Name)
			sources = append(sources, src)
		}
	}
	return sources, nil
}
