package policyschema

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Marshal renders a schema as the committed files hold it: two-space
// indentation, keys sorted, a final newline.
func Marshal(s Schema) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return buf.Bytes(), nil
}

// WithChartPolicies returns the chart's values.schema.json with the items of
// its `policies` value replaced by ChartItem, leaving every other byte of
// the file's content in its order (the file is hand-written elsewhere).
func WithChartPolicies(values []byte) ([]byte, error) {
	var top ordered
	if err := json.Unmarshal(values, &top); err != nil {
		return nil, fmt.Errorf("values.schema.json: %w", err)
	}
	var props ordered
	if err := json.Unmarshal(top.get("properties"), &props); err != nil || props.get("policies") == nil {
		return nil, fmt.Errorf("values.schema.json: no properties.policies")
	}
	var policies ordered
	if err := json.Unmarshal(props.get("policies"), &policies); err != nil {
		return nil, fmt.Errorf("values.schema.json: properties.policies: %w", err)
	}
	item, err := json.Marshal(ChartItem())
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	if err := policies.set("items", item); err != nil {
		return nil, err
	}
	if err := props.set("policies", policies.raw()); err != nil {
		return nil, err
	}
	if err := top.set("properties", props.raw()); err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, top.raw(), "", "  "); err != nil {
		return nil, fmt.Errorf("values.schema.json: %w", err)
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// ordered is a JSON object that keeps its keys in order.
type ordered []member

type member struct {
	key   string
	value json.RawMessage
}

func (o *ordered) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return fmt.Errorf("not an object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return err
		}
		*o = append(*o, member{key: tok.(string), value: value})
	}
	return nil
}

func (o ordered) get(key string) json.RawMessage {
	for _, m := range o {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

func (o *ordered) set(key string, value json.RawMessage) error {
	for i, m := range *o {
		if m.key == key {
			(*o)[i].value = value
			return nil
		}
	}
	*o = append(*o, member{key: key, value: value})
	return nil
}

// raw is the object's compact JSON.
func (o ordered) raw() json.RawMessage {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, m := range o {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(m.key)
		buf.Write(key)
		buf.WriteByte(':')
		buf.Write(m.value)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}
