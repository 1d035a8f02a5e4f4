package policy

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/mattbaird/jsonpatch"
)

// Patch returns the JSON patch (RFC 6902) that turns original into mutated,
// computed as a diff of their JSON forms. Both must be the same typed object
// (a Pod, or a pod template's parent), so that fields the types do not know
// never show up as removals. Operations come in a stable order.
func Patch(original, mutated any) ([]jsonpatch.JsonPatchOperation, error) {
	before, err := json.Marshal(original)
	if err != nil {
		return nil, fmt.Errorf("marshal original: %w", err)
	}
	after, err := json.Marshal(mutated)
	if err != nil {
		return nil, fmt.Errorf("marshal mutated: %w", err)
	}
	ops, err := jsonpatch.CreatePatch(before, after)
	if err != nil {
		return nil, fmt.Errorf("diff: %w", err)
	}
	sortOperations(ops)
	return ops, nil
}

// sortOperations orders operations by their parent path and, within an
// object, by key. Array operations keep the order the diff gave them, which
// their indexes depend on.
func sortOperations(ops []jsonpatch.JsonPatchOperation) {
	sort.SliceStable(ops, func(i, j int) bool {
		pi, ki := splitPath(ops[i].Path)
		pj, kj := splitPath(ops[j].Path)
		if pi != pj {
			return pi < pj
		}
		if isIndex(ki) || isIndex(kj) {
			return false
		}
		return ki < kj
	})
}

func splitPath(path string) (parent, key string) {
	i := strings.LastIndex(path, "/")
	return path[:i], path[i+1:]
}

func isIndex(key string) bool {
	_, err := strconv.Atoi(key)
	return err == nil
}
