package manifest

// Mutated is the outcome of a whole manifest: the documents to print, in
// their input shape, and one outcome per object (List items included).
type Mutated struct {
	Documents []Object
	Outcomes  []Outcome
}

// MutateDocuments mutates every object of the documents; a List's items are
// mutated one by one and the List is kept.
func MutateDocuments(docs []Document, opts Options) (Mutated, error) {
	var out Mutated
	for _, doc := range docs {
		if !doc.IsList() {
			o, err := MutateObject(doc.Object, opts)
			if err != nil {
				return out, err
			}
			out.Outcomes = append(out.Outcomes, o)
			out.Documents = append(out.Documents, o.Mutated)
			continue
		}
		list := deepCopy(doc.Object)
		items := list["items"].([]any)
		for i, item := range items {
			o, err := MutateObject(item.(Object), opts)
			if err != nil {
				return out, err
			}
			out.Outcomes = append(out.Outcomes, o)
			items[i] = o.Mutated
		}
		out.Documents = append(out.Documents, list)
	}
	return out, nil
}
