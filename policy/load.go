package policy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source is one named stream of PoolPolicy documents: a file, or one key of
// the policy ConfigMap.
type Source struct {
	Name string
	Data []byte
}

// document is one decoded policy with the positions of its values.
type document struct {
	policy    PoolPolicy
	positions map[string]Position
	start     Position
}

// Load parses, validates and compiles the sources, in order, into one Set.
// The set loads whole or not at all: on any mistake it returns an ErrorList
// (wrapping ErrInvalid) holding every mistake found, each positioned.
func Load(sources ...Source) (*Set, error) {
	var errs ErrorList
	var docs []document
	for _, src := range sources {
		docs = append(docs, parseSource(src, &errs)...)
	}
	validateDocuments(docs, &errs)
	if len(errs) > 0 {
		sortErrors(errs, sources)
		return nil, errs
	}
	return compile(docs, sources)
}

// LoadConfigMap loads every key of a ConfigMap's data that ends in .yaml or
// .yml, in sorted key order; each key is the source name in errors.
func LoadConfigMap(data map[string]string) (*Set, error) {
	return Load(ConfigMapSources(data)...)
}

// ConfigMapSources returns the policy streams of a ConfigMap's data in sorted
// key order, skipping keys that are not YAML.
func ConfigMapSources(data map[string]string) []Source {
	keys := make([]string, 0, len(data))
	for key := range data {
		if strings.HasSuffix(key, ".yaml") || strings.HasSuffix(key, ".yml") {
			keys = append(keys, key)
		}
	}
	sort.Strings(keys)
	sources := make([]Source, len(keys))
	for i, key := range keys {
		sources[i] = Source{Name: key, Data: []byte(data[key])}
	}
	return sources
}

func parseSource(src Source, errs *ErrorList) []document {
	dec := yaml.NewDecoder(bytes.NewReader(src.Data))
	var docs []document
	for {
		var root yaml.Node
		err := dec.Decode(&root)
		if errors.Is(err, io.EOF) {
			return docs
		}
		if err != nil {
			errs.add(syntaxErrorPosition(src.Name, err), "%s", syntaxErrorMessage(err))
			return docs
		}
		if len(root.Content) == 0 || isNull(root.Content[0]) {
			continue
		}
		if doc, ok := decodeDocument(src.Name, root.Content[0], errs); ok {
			docs = append(docs, doc)
		}
	}
}

var (
	yamlLine       = regexp.MustCompile(`line (\d+)`)
	yamlLinePrefix = regexp.MustCompile(`^(yaml: )?line \d+: `)
)

// syntaxErrorMessage drops the "yaml: line N:" that the position now says.
func syntaxErrorMessage(err error) string {
	return yamlLinePrefix.ReplaceAllString(strings.TrimPrefix(err.Error(), "yaml: "), "")
}

// syntaxErrorPosition recovers the line from a yaml.v3 syntax error, which
// carries it only in its text.
func syntaxErrorPosition(source string, err error) Position {
	pos := Position{Source: source}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
		pos.Column = 1
	}
	return pos
}

func decodeDocument(source string, n *yaml.Node, errs *ErrorList) (document, bool) {
	before := len(*errs)
	d := &decoder{source: source, errs: errs, positions: map[string]Position{}}
	doc := document{positions: d.positions, start: d.pos(n)}
	d.decode(n, reflect.ValueOf(&doc.policy).Elem(), "")
	if len(*errs) > before {
		return doc, false
	}
	p := doc.policy
	if p.APIVersion != APIVersion || p.Kind != Kind {
		errs.add(doc.start, "expected apiVersion %s and kind %s, got %q and %q", APIVersion, Kind, p.APIVersion, p.Kind)
		return doc, false
	}
	return doc, true
}

// at returns the position of path, or of its nearest recorded ancestor.
func (d document) at(path string) Position {
	for {
		if pos, ok := d.positions[path]; ok {
			return pos
		}
		cut := strings.LastIndexAny(path, ".[")
		if cut < 0 {
			return d.start
		}
		path = path[:cut]
	}
}

func (d document) errorf(errs *ErrorList, path, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	errs.add(d.at(path), "policy %s: %s: %s", d.policy.Metadata.Name, path, msg)
}

// sortErrors puts mistakes in source order, whatever order the checks found
// them in (map iteration is random).
func sortErrors(errs ErrorList, sources []Source) {
	order := make(map[string]int, len(sources))
	for i, src := range sources {
		if _, ok := order[src.Name]; !ok {
			order[src.Name] = i
		}
	}
	sort.SliceStable(errs, func(i, j int) bool {
		a, b := errs[i].Pos, errs[j].Pos
		if order[a.Source] != order[b.Source] {
			return order[a.Source] < order[b.Source]
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}
