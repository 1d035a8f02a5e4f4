package manifest

// MutateDocument mutates every object of a document: the object itself, or
// a List's items one by one, the List kept. It returns the document to
// print and one outcome per object. An object poolpatch cannot read (a
// field of the wrong type) is an error at that field's line and column,
// wrapping ErrUnreadable.
func MutateDocument(doc Document, opts Options) (Object, []Outcome, error) {
	if !doc.IsList() {
		o, err := MutateObject(doc.Object, opts)
		if err != nil {
			return nil, nil, doc.locate(err, -1, doc.Object)
		}
		return o.Mutated, []Outcome{o}, nil
	}
	list := CopyObject(doc.Object)
	items := list["items"].([]any)
	outcomes := make([]Outcome, 0, len(items))
	for i, item := range items {
		o, err := MutateObject(item.(Object), opts)
		if err != nil {
			return nil, nil, doc.locate(err, i, item.(Object))
		}
		outcomes = append(outcomes, o)
		items[i] = o.Mutated
	}
	return list, outcomes, nil
}
