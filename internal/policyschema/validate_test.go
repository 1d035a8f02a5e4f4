package policyschema

import (
	"errors"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/poolpatch/poolpatch/policy"
)

// TestValidPoliciesMatchSchema: every policy the repository ships or tests
// with as valid is valid for the schema too, document by document, so an
// editor never flags what the webhook accepts.
func TestValidPoliciesMatchSchema(t *testing.T) {
	sch := compiled(t, Generate())
	docs := 0
	for _, path := range globs(t, "testdata/policies/examples.yaml", "testdata/policies/configmap.yaml", "e2e/testdata/*.yaml") {
		for name, data := range policyStreams(t, path) {
			t.Run(name, func(t *testing.T) {
				if _, err := policy.Load(policy.Source{Name: name, Data: data}); err != nil {
					t.Fatalf("poolpatch validate rejects a valid policy file:\n%v", err)
				}
				parsed, err := splitDocuments(data)
				if err != nil {
					t.Fatal(err)
				}
				for _, d := range parsed {
					errs, err := validate(sch, d.node)
					if err != nil {
						t.Fatal(err)
					}
					if len(errs) > 0 {
						t.Errorf("document at line %d: the schema rejects a valid policy:\n%s", d.line, describeErrors(errs))
					}
					docs++
				}
			})
		}
	}
	t.Logf("%d valid documents checked against the schema", docs)
}

// notExpressible are the mistakes of `poolpatch validate` that no JSON
// Schema can see: they concern the YAML text (keys, aliases, tags) that an
// editor's JSON value no longer has, several documents, or totals.
var notExpressible = []*regexp.Regexp{
	regexp.MustCompile(`duplicate (field|key|pool|policy name)`),               // YAML keys, names across items and documents
	regexp.MustCompile(`alias|anchor`),                                         // bounded by the loader, expanded for the schema
	regexp.MustCompile(`unknown field "<<"|merge keys`),                        // a merge key, merged for the schema
	regexp.MustCompile(`not a JSON list of tolerations|invalid toleration \d`), // JSON inside an annotation's value
	regexp.MustCompile(`got !`),                                                // explicit YAML tags
	regexp.MustCompile(`annotations: .*must have at most`),                     // total size of the annotations
}

// TestInvalidPoliciesRejectedByBoth: for the invalid and hostile policy
// files, `poolpatch validate` rejects each, and at every line where it
// reports a mistake a schema can express (unknown field, wrong type, value
// out of range or of the wrong syntax), the schema reports one too; and
// every schema error is on a line `poolpatch validate` also reports, so the
// schema is never stricter.
func TestInvalidPoliciesRejectedByBoth(t *testing.T) {
	sch := compiled(t, Generate())
	var checked, onlyValidate int
	for _, path := range globs(t, "testdata/policies/invalid.yaml", "testdata/hostile/policies/*") {
		for name, data := range policyStreams(t, path) {
			t.Run(name, func(t *testing.T) {
				_, err := policy.Load(policy.Source{Name: name, Data: data})
				var list policy.ErrorList
				if !errors.As(err, &list) {
					t.Fatalf("poolpatch validate accepts a hostile or invalid file (err %v)", err)
				}
				parsed, perr := splitDocuments(data)
				if perr != nil {
					// yaml.v3 itself refuses the text (syntax, tabs, binary,
					// excessive aliasing): editors report it as a YAML error.
					onlyValidate += len(list)
					t.Logf("not YAML an editor can validate (%v); validate reports %d errors", perr, len(list))
				}
				// Lines of the schema's errors, and the documents it could
				// not judge (no JSON value) or in which validate stopped
				// after decoding errors (its semantic checks wait for them).
				schemaLines := map[int][]string{}
				var starts []int
				skip := map[int]bool{}
				for _, d := range parsed {
					starts = append(starts, d.line)
					errs, err := validate(sch, d.node)
					if err != nil {
						t.Logf("document at line %d: no JSON value (%v)", d.line, err)
						skip[d.line] = true
						continue
					}
					for _, e := range errs {
						schemaLines[e.line] = append(schemaLines[e.line], e.msg)
					}
				}
				docOf := func(line int) int {
					start := 0
					for _, s := range starts {
						if s <= line {
							start = s
						}
					}
					return start
				}
				validateLines := map[int]bool{}
				decodeOnly := map[int]bool{}
				for _, e := range list {
					validateLines[e.Pos.Line] = true
					if !strings.HasPrefix(e.Message, "policy ") {
						decodeOnly[docOf(e.Pos.Line)] = true
					}
					if perr != nil || skip[docOf(e.Pos.Line)] || !expressible(e.Message) {
						onlyValidate++
						t.Logf("only validate: %v", e)
						continue
					}
					checked++
					if len(schemaLines[e.Pos.Line]) == 0 {
						t.Errorf("the schema misses %v", e)
					}
				}
				var lines []int
				for line := range schemaLines {
					lines = append(lines, line)
				}
				sort.Ints(lines)
				for _, line := range lines {
					if decodeOnly[docOf(line)] {
						continue // validate stopped at decoding errors in this document
					}
					if !validateLines[line] {
						t.Errorf("line %d: the schema reports what poolpatch validate accepts: %q", line, schemaLines[line])
					}
				}
			})
		}
	}
	t.Logf("%d validate errors also reported by the schema; %d only validate can report", checked, onlyValidate)
	if checked == 0 {
		t.Fatal("no expressible error checked")
	}
}

func expressible(msg string) bool {
	for _, re := range notExpressible {
		if re.MatchString(msg) {
			return false
		}
	}
	return true
}
