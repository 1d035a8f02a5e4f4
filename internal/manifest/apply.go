package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/mattbaird/jsonpatch"
)

// applyOps applies the engine's operations to a generic object as
// gopkg.in/evanphx/json-patch.v4 applies them to its JSON text (the API
// server's applier; TestPrintedPatchApplies holds the two equal), without
// the round trip through JSON that was a third of the preview's time. The
// engine writes only "add" operations. Every map and list on an
// operation's path is copied the first time it is written, so obj itself
// is never changed.
func applyOps(obj Object, ops []jsonpatch.JsonPatchOperation) (Object, error) {
	p := &patcher{tokens: make([]string, 0, 16)}
	var root any = p.ownObject(obj)
	for _, op := range ops {
		if op.Operation != "add" {
			return nil, fmt.Errorf("operation %s %s: only add is supported", op.Operation, op.Path)
		}
		if !strings.HasPrefix(op.Path, "/") {
			return nil, fmt.Errorf("add %s: not a JSON pointer below the root", op.Path)
		}
		value, err := genericValue(op.Value)
		if err != nil {
			return nil, fmt.Errorf("add %s: %w", op.Path, err)
		}
		p.tokens = appendTokens(p.tokens[:0], op.Path[1:])
		if root, err = p.add(root, p.tokens, value); err != nil {
			return nil, fmt.Errorf("add %s: %w", op.Path, err)
		}
	}
	return root.(Object), nil
}

// patcher remembers the maps and lists it copied, by address: a few a
// document, searched in a list.
type patcher struct {
	owned  []uintptr
	tokens []string // the current path's reference tokens
}

func (p *patcher) isOwned(ptr uintptr) bool { return slices.Contains(p.owned, ptr) }

func (p *patcher) own(ptr uintptr) { p.owned = append(p.owned, ptr) }

// appendTokens splits a JSON pointer (its leading "/" cut) at "/".
func appendTokens(tokens []string, path string) []string {
	for {
		i := strings.IndexByte(path, '/')
		if i < 0 {
			return append(tokens, path)
		}
		tokens = append(tokens, path[:i])
		path = path[i+1:]
	}
}

func (p *patcher) ownObject(obj Object) Object {
	if p.isOwned(reflect.ValueOf(obj).Pointer()) {
		return obj
	}
	out := make(Object, len(obj)+1)
	for k, v := range obj {
		out[k] = v
	}
	p.own(reflect.ValueOf(out).Pointer())
	return out
}

func (p *patcher) ownList(list []any) []any {
	if len(list) > 0 && p.isOwned(reflect.ValueOf(list).Pointer()) {
		return list
	}
	out := make([]any, len(list), len(list)+1)
	copy(out, list)
	if len(out) > 0 {
		p.own(reflect.ValueOf(out).Pointer())
	}
	return out
}

// errMissing is evanphx's "missing path": a parent on the way is absent,
// or not an object or a list.
var errMissing = errors.New("missing path")

// add adds value at the reference tokens below node, and returns node, or
// its copy when it was not owned yet.
func (p *patcher) add(node any, tokens []string, value any) (any, error) {
	key := unescapeToken(tokens[0])
	switch n := node.(type) {
	case Object:
		n = p.ownObject(n)
		if len(tokens) == 1 {
			n[key] = value
			return n, nil
		}
		child, ok := n[key]
		if !ok {
			return nil, errMissing
		}
		child, err := p.add(child, tokens[1:], value)
		if err != nil {
			return nil, err
		}
		n[key] = child
		return n, nil
	case []any:
		n = p.ownList(n)
		if len(tokens) == 1 {
			return p.insert(n, key, value)
		}
		i, err := strconv.Atoi(key)
		if err != nil || i < 0 || i >= len(n) {
			return nil, errMissing
		}
		child, err := p.add(n[i], tokens[1:], value)
		if err != nil {
			return nil, err
		}
		n[i] = child
		return n, nil
	}
	return nil, errMissing
}

// insert inserts value at index key of an owned list, "-" being its end.
func (p *patcher) insert(list []any, key string, value any) ([]any, error) {
	i := len(list)
	if key != "-" {
		var err error
		if i, err = strconv.Atoi(key); err != nil || i < 0 || i > len(list) {
			return nil, fmt.Errorf("index %s out of range for a list of %d", key, len(list))
		}
	}
	old := reflect.ValueOf(list).Pointer()
	list = append(list, nil)
	copy(list[i+1:], list[i:])
	list[i] = value
	if ptr := reflect.ValueOf(list).Pointer(); ptr != old {
		p.own(ptr)
	}
	return list, nil
}

// unescapeToken undoes a JSON pointer's escapes (RFC 6901).
func unescapeToken(t string) string {
	if !strings.Contains(t, "~") {
		return t
	}
	return strings.ReplaceAll(strings.ReplaceAll(t, "~1", "/"), "~0", "~")
}

// genericValue returns an operation's value in the generic form DecodeObject
// gives, as the value would read back from the patch's JSON.
func genericValue(v any) (any, error) {
	switch v := v.(type) {
	case struct{}: // the engine's empty object, which later operations fill
		return Object{}, nil
	case string:
		if utf8.ValidString(v) {
			return v, nil
		}
	case Object:
		if len(v) == 0 {
			return Object{}, nil
		}
	case []any: // a list the engine writes whole: its items are mostly prepared JSON
		out := make([]any, len(v))
		for i, item := range v {
			var err error
			if out[i], err = genericValue(item); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
	raw, ok := v.(json.RawMessage)
	if ok {
		return cachedValue(raw)
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return decodeValue(raw)
}

// rawValues caches the generic form of the JSON values the engine prepares
// when a set is loaded (tolerations, affinity terms): the same few are added
// to every pod. They are shared: the patcher copies a value before it
// writes into it, and mutated objects are read-only.
var rawValues = struct {
	sync.Mutex
	m map[string]any
}{m: map[string]any{}}

// maxRawValues bounds the cache; values past it are decoded each time.
const maxRawValues = 4096

func cachedValue(raw json.RawMessage) (any, error) {
	rawValues.Lock()
	v, ok := rawValues.m[string(raw)]
	rawValues.Unlock()
	if ok {
		return v, nil
	}
	v, err := decodeValue(raw)
	if err != nil {
		return nil, err
	}
	rawValues.Lock()
	if len(rawValues.m) < maxRawValues {
		rawValues.m[string(raw)] = v
	}
	rawValues.Unlock()
	return v, nil
}

// decodeValue decodes a JSON value as DecodeObject decodes an object.
func decodeValue(raw []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return exactNumbers(out), nil
}
