package manifest

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	yamlv2 "go.yaml.in/yaml/v2"
)

// checkPrinter fails when the fast printer prints obj otherwise than
// yaml.v2 prints yamlTree(obj); it reports whether the fast path printed it
// (rather than leaving it to yaml.v2).
func checkPrinter(t *testing.T, obj Object) bool {
	t.Helper()
	p := yamlPrinter{}
	if p.document(obj) != nil {
		return false
	}
	want, err := yamlv2.Marshal(yamlTree(obj))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(p.buf)); diff != "" {
		t.Fatalf("%#v: (-yaml.v2 +yamlPrinter):\n%s", obj, diff)
	}
	return true
}

// trickyStrings trip yaml.v2's type resolution, indicators and quoting.
var trickyStrings = []string{
	"", " ", "a", "yes", "No", "ON", "y", "~", "null", "NULL", "true", "False",
	"1", "-1", "+1", "0", "00", "007", "09", "0x1f", "0o17", "0b101", "1_000", "1e3", "1E3", ".5", "5.", "-.5",
	".inf", "-.Inf", "+.INF", ".nan", ".", "..", "...", "....", "---", "--", "-", "- a", "-a", "? a", "?a", ":", ": a", "a:",
	"a: b", "a:b", "a #b", "a#b", "#a", "'", "''", "a'b", `"`, `a"b`, `a\b`, "&a", "*a", "!a", "|", ">", "%a", "@a", "`a",
	",a", "a,b", "[a]", "a[0]", "{a}", "a}", " lead", "trail ", "a  b", "1:30", "1:30:45.5", "-1:30", "190:20:30", "1:3a",
	"2024-01-01", "2024-1-1", "2024-01-01T10:00:00Z", "2024-01-01 10:00:00", "2024-01-01t10:00:00+02:00",
	"3c8b1f2e-0d4a-4b6c-9e7f-a1b2c3d4e5f6", "3.5.3", "4505Mi", "4g", "-Dspark.driver.port=7078", "<<", "=",
	"9007199254740993", "18446744073709551616", "1e400", "0.0000001", "0x", "+", "+-1", "1-", "1 2", "1 b",
	strings.Repeat("x", 128), strings.Repeat("x", 129), strings.Repeat("word ", 20), strings.Repeat("-", 90),
	strings.Repeat("a  b ", 30) + "c", "#" + strings.Repeat(" x y", 40), "- " + strings.Repeat("it's ", 30) + "x",
	strings.Repeat("x", 75) + " " + strings.Repeat("y", 10) + "  z", "1 " + strings.Repeat("2 ", 50) + "3",
	"multi\nline", "tab\there", "naïve", "\x7f",
}

// TestYAMLPrinterStrings: every tricky string, and every string of up to
// three bytes from an alphabet of indicators, digits and letters, printed
// as a key, a value and a sequence item at several depths, as yaml.v2
// prints it.
func TestYAMLPrinterStrings(t *testing.T) {
	strs := append([]string{}, trickyStrings...)
	const alphabet = " -:#'\"?.,[{0159aefxoyYnNtT~+_Z"
	for _, a := range alphabet {
		strs = append(strs, string(a))
		for _, b := range alphabet {
			strs = append(strs, string(a)+string(b))
			for _, c := range alphabet {
				strs = append(strs, string(a)+string(b)+string(c))
			}
		}
	}
	fast := 0
	for _, s := range strs {
		for _, obj := range stringContexts(s) {
			if checkPrinter(t, obj) {
				fast++
			}
		}
	}
	if fast < len(strs) {
		t.Errorf("only %d of %d documents took the fast path", fast, 4*len(strs))
	}
}

// stringContexts places s as a key and as values at several columns.
func stringContexts(s string) []Object {
	return []Object{
		{s: s},
		{"kind": Object{"a": []any{s, Object{s: []any{s}}}}},
		{"k": []any{[]any{s, Object{"deep": Object{"deeper": s}}}}},
		{strings.Repeat("k", 60): Object{"key": s}},
	}
}

// TestYAMLPrinterValues: numbers as yamlTree types them, empty and nested
// collections, and keys in yaml.v2's order.
func TestYAMLPrinterValues(t *testing.T) {
	objects := []Object{
		{},
		{"n": []any{0.0, math.Copysign(0, -1), -1.0, 42.0, 0.5, 1e3, 1e21, 1.5e-7, 1e17, 1e18, 1e19, 9007199254740993.0, -1e300,
			json.Number("9007199254740993"), json.Number("18446744073709551615"), json.Number("123456789012345678901234567890"),
			json.Number("-9223372036854775809")}},
		{"b": []any{true, false, nil, Object{}, []any{}, []any{[]any{}}, []any{Object{}}, []any{[]any{[]any{"x"}}}}},
		{"m": Object{"a": Object{}, "b": []any{}, "c": []any{Object{"x": []any{Object{"y": nil}}}}}},
		{"a10": 1.0, "a9": 2.0, "a09": 3.0, "a010": 4.0, "B": 5.0, "b": 6.0, "-": 7.0, "0": 8.0, "1a": 9.0, "a": 10.0, "_": 11.0,
			"a.b": 12.0, "a/b": 13.0, "a-b": 14.0, "ab": 15.0, "a0": 16.0, "a00": 17.0, "x1y2": 18.0, "x1y10": 19.0, "x01": 20.0},
	}
	for _, obj := range objects {
		if !checkPrinter(t, obj) {
			t.Errorf("%v: left to yaml.v2", obj)
		}
	}
}

// TestYAMLPrinterManifests: every testdata and public manifest is printed
// as yaml.v2 prints it, the pods by the fast path.
func TestYAMLPrinterManifests(t *testing.T) {
	for _, f := range readTestdata(t, "pods/*", "public/*") {
		for _, d := range f.docs {
			if !checkPrinter(t, d.Object) && strings.Contains(f.path, "/pods/") && !hasMultiLine(d.Object) {
				t.Errorf("%s: a pod left to yaml.v2", f.path)
			}
		}
	}
}

// hasMultiLine reports whether a tree holds a string the fast path leaves
// to yaml.v2 whatever its place.
func hasMultiLine(v any) bool {
	switch v := v.(type) {
	case Object:
		for k, item := range v {
			if hasMultiLine(k) || hasMultiLine(item) {
				return true
			}
		}
	case []any:
		for _, item := range v {
			if hasMultiLine(item) {
				return true
			}
		}
	case string:
		return strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 || r > 0x7e })
	}
	return false
}

// FuzzMarshalYAML: for random strings and random trees built from them,
// the fast printer prints what yaml.v2 prints from yamlTree, or leaves the
// tree to it.
func FuzzMarshalYAML(f *testing.F) {
	for i, s := range trickyStrings {
		f.Add(s, trickyStrings[(i+7)%len(trickyStrings)], []byte{4, 3, byte(i), 0, 1, 5, 2, 0, 4, 2, 6, 1})
	}
	f.Add("a b", "c", []byte("\x04\x05\x00\x01\x02\x05\x03\x04\x01\x00\x00"))
	f.Fuzz(func(t *testing.T, s1, s2 string, shape []byte) {
		g := treeGen{shape: shape, strs: []string{s1, s2, s1 + " " + s2, strings.Repeat(s1+" ", 12)}}
		objects := append(stringContexts(s1), stringContexts(s2)...)
		if obj, ok := g.value(0).(Object); ok {
			objects = append(objects, obj)
		}
		for _, obj := range objects {
			// The other path is yaml.v2 itself, whose output is not even
			// stable for keys it cannot order (two invalid UTF-8 keys).
			checkPrinter(t, obj)
			if _, err := marshalYAML(obj); err != nil {
				t.Fatalf("%#v: %v", obj, err)
			}
		}
	})
}

// treeGen builds a generic tree from fuzzed bytes, its strings from strs.
type treeGen struct {
	shape []byte
	strs  []string
}

func (g *treeGen) next() int {
	if len(g.shape) == 0 {
		return 0
	}
	b := g.shape[0]
	g.shape = g.shape[1:]
	return int(b)
}

func (g *treeGen) value(depth int) any {
	op := g.next()
	if depth > 6 {
		op %= 4
	}
	switch op % 8 {
	case 0:
		return g.strs[g.next()%len(g.strs)]
	case 1:
		return []any{float64(g.next()) / 4, float64(g.next() - 128), json.Number("1" + strings.Repeat("0", g.next()%25))}[g.next()%3]
	case 2:
		return g.next()%2 == 0
	case 3:
		return nil
	case 4:
		obj := Object{}
		for range g.next() % 5 {
			obj[g.strs[g.next()%len(g.strs)]+strings.Repeat("k", g.next()%3)] = g.value(depth + 1)
		}
		return obj
	case 5:
		list := []any{}
		for range g.next() % 5 {
			list = append(list, g.value(depth+1))
		}
		return list
	case 6:
		return Object{}
	}
	return []any{}
}
