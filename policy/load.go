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
	"k8s.io/apimachinery/pkg/util/validation"
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
	// failed holds the paths whose values did not decode: validation says
	// nothing more about them or what lies below them.
	failed map[string]bool
	start  Position
}

// Load parses, validates and compiles the sources, in order, into one Set.
// The set loads whole or not at all: on any mistake it returns an ErrorList
// (wrapping ErrInvalid) holding every mistake found, each positioned.
func Load(sources ...Source) (*Set, error) {
	var errs ErrorList
	var docs []document
	// One alias budget for the whole set: a ConfigMap of many keys gets no
	// more than one file.
	budget := &aliasBudget{}
	for _, src := range sources {
		docs = append(docs, parseSource(src, budget, &errs)...)
		if budget.exceeded {
			break
		}
	}
	validateDocuments(docs, &errs)
	if len(errs) > 0 {
		sortErrors(errs, sources)
		return nil, capPerSource(errs)
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

// parseSource decodes every document of a source. A document with
// decoding mistakes is still returned, so that validation reports the
// mistakes of its other values too; only a stream that stops parsing, or
// aliases over their bounds, end the source.
func parseSource(src Source, budget *aliasBudget, errs *ErrorList) []document {
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
		doc, ok := decodeDocument(src.Name, root.Content[0], budget, errs)
		if budget.exceeded {
			return docs
		}
		if ok {
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
	pos := Position{Source: source, Line: 1, Column: 1}
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		pos.Line, _ = strconv.Atoi(m[1])
	}
	return pos
}

// decodeDocument decodes one document. It returns false for a document
// that is not a PoolPolicy at all, after one error saying so.
func decodeDocument(source string, n *yaml.Node, budget *aliasBudget, errs *ErrorList) (document, bool) {
	d := &decoder{source: source, errs: errs, positions: map[string]Position{}, failed: map[string]bool{}, aliases: budget}
	doc := document{positions: d.positions, failed: d.failed, start: d.pos(n)}
	if n.Kind != yaml.MappingNode {
		errs.add(doc.start, "expected a %s document (a mapping), got %s", Kind, describe(n))
		return doc, false
	}
	if apiVersion, kind := scalarField(n, "apiVersion"), scalarField(n, "kind"); apiVersion != APIVersion || kind != Kind {
		errs.add(doc.start, "expected apiVersion %s and kind %s, got %s and %s", APIVersion, Kind, quote(apiVersion), quote(kind))
		return doc, false
	}
	d.decode(n, reflect.ValueOf(&doc.policy).Elem(), "")
	return doc, true
}

// scalarField returns the value of a top-level scalar field, aliases not
// followed: apiVersion and kind are written out.
func scalarField(n *yaml.Node, name string) string {
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == name && n.Content[i+1].Kind == yaml.ScalarNode {
			return n.Content[i+1].Value
		}
	}
	return ""
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

// errorf reports a mistake at path, unless path or a value above it did
// not decode (that mistake is reported already).
func (d document) errorf(errs *ErrorList, path, format string, args ...any) {
	for p := path; ; {
		if d.failed[p] {
			return
		}
		cut := strings.LastIndexAny(p, ".[")
		if cut < 0 {
			break
		}
		p = p[:cut]
	}
	msg := fmt.Sprintf(format, args...)
	errs.add(d.at(path), "%s: %s: %s", d.name(), displayPath(path), msg)
}

// name names the policy in messages, quoted and shortened unless it is a
// valid name.
func (d document) name() string {
	name := d.policy.Metadata.Name
	if name == "" {
		return "policy"
	}
	if len(validation.IsDNS1123Label(name)) > 0 {
		return "policy " + quote(name)
	}
	return "policy " + name
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
