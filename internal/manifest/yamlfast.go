package manifest

// blockParser reads one YAML document of the block subset that kubectl,
// sigs.k8s.io/yaml and most hand-written manifests use, into the generic
// form converter gives from yaml.v3's node tree, several times faster and
// with its strings sliced from the document's text: block mappings and
// sequences (indentless ones under a key, compact ones after "- "), simple
// keys, one-line plain, single- and double-quoted (escape-free) scalars,
// {} and [], comment lines. Anything else (flow collections, anchors,
// tags, block and multi-line scalars, escapes, tabs, CR, bytes outside
// printable ASCII, an inline comment, a duplicate key, any doubt about
// indentation) makes it give up, and yaml.v3 reads the document: it never
// reads a document otherwise than yaml.v3 and the converter would
// (FuzzBlockParser holds the two equal).
type blockParser struct {
	src   string
	lines []blockLine
	i     int // the current line
	col   int // where the current line's content starts: its indent, or past "- "
	depth int
}

// blockLine is a line with content: src[start+indent:end] is its text.
type blockLine struct {
	start, end, indent, num int
}

// maxBlockDepth bounds the parser's recursion; deeper documents are left to
// yaml.v3 and the converter's own bound.
const maxBlockDepth = 200

// parseBlockDocument parses one document's text, whose first line is line
// first of the stream; lines is scratch space kept from one call to the
// next. ok is false when the text is outside the subset; obj is nil for a
// document without content.
func parseBlockDocument(src string, first int, lines *[]blockLine) (obj Object, line, col int, ok bool) {
	p := blockParser{src: src, lines: (*lines)[:0]}
	defer func() { *lines = p.lines }()
	if !p.split(first) {
		return nil, 0, 0, false
	}
	if len(p.lines) == 0 {
		return nil, 0, 0, true
	}
	root := p.lines[0]
	p.col = root.indent
	if isSeqEntry(p.text()) {
		return nil, 0, 0, false // not an object: yaml.v3 says so
	}
	obj, ok = p.mapping(root.indent)
	if !ok || p.i != len(p.lines) || obj == nil {
		return nil, 0, 0, false
	}
	return obj, root.num, root.indent + 1, true
}

// split finds the lines with content, skipping blank and comment lines and
// a leading "---", and checks that every byte is printable ASCII.
func (p *blockParser) split(first int) bool {
	for i := 0; i < len(p.src); i++ {
		if c := p.src[i]; (c < 0x20 && c != '\n') || c > 0x7e {
			return false
		}
	}
	num := first
	for start := 0; start < len(p.src); num++ {
		end := start
		for end < len(p.src) && p.src[end] != '\n' {
			end++
		}
		line := p.src[start:end]
		indent := 0
		for indent < len(line) && line[indent] == ' ' {
			indent++
		}
		switch {
		case indent == len(line) || line[indent] == '#':
		case start == 0 && line == "---":
		case indent == 0 && (len(line) >= 3 && (line[:3] == "---" || line[:3] == "...") || line[0] == '%'):
			return false // a document marker or directive inside: yaml.v3 splits
		default:
			p.lines = append(p.lines, blockLine{start: start, end: end, indent: indent, num: num})
		}
		start = end + 1
	}
	return true
}

// text is the current line from where its content starts.
func (p *blockParser) text() string {
	l := p.lines[p.i]
	return p.src[l.start+p.col : l.end]
}

// advance moves to the next line.
func (p *blockParser) advance() {
	if p.i++; p.i < len(p.lines) {
		p.col = p.lines[p.i].indent
	}
}

func isSeqEntry(text string) bool {
	return text == "-" || len(text) > 1 && text[0] == '-' && text[1] == ' '
}

// node parses the mapping or sequence starting at the current line.
func (p *blockParser) node(indent int) (any, bool) {
	if p.depth++; p.depth > maxBlockDepth {
		return nil, false
	}
	defer func() { p.depth-- }()
	if isSeqEntry(p.text()) {
		return p.sequence(indent)
	}
	obj, ok := p.mapping(indent)
	return obj, ok
}

// mapping parses the keys at column indent, from the current line on.
func (p *blockParser) mapping(indent int) (Object, bool) {
	obj := Object{}
	for p.i < len(p.lines) && p.col >= indent {
		text := p.text()
		if p.col > indent || isSeqEntry(text) {
			return nil, false
		}
		key, rest, ok := blockKey(text)
		if _, dup := obj[key]; !ok || dup {
			return nil, false // a duplicate is the converter's error
		}
		p.advance()
		var v any
		more := p.i < len(p.lines)
		switch {
		case rest != "":
			if v, ok = plainOrQuoted(rest); !ok || more && p.col > indent {
				return nil, false // a continuation line: a multi-line scalar
			}
		case more && p.col > indent:
			v, ok = p.node(p.col)
		case more && p.col == indent && isSeqEntry(p.text()):
			v, ok = p.sequence(indent)
		}
		if !ok {
			return nil, false
		}
		obj[key] = v
	}
	return obj, true
}

// sequence parses the entries at column indent, from the current line on.
func (p *blockParser) sequence(indent int) ([]any, bool) {
	list := []any{}
	for p.i < len(p.lines) && p.col >= indent {
		text := p.text()
		if p.col > indent {
			return nil, false
		}
		if !isSeqEntry(text) {
			break // the next key of the mapping holding an indentless sequence
		}
		rest := text[1:]
		spaces := 0
		for spaces < len(rest) && rest[spaces] == ' ' {
			spaces++
		}
		if rest = rest[spaces:]; rest == "" {
			return nil, false // an empty entry, or its node on the next line
		}
		var v any
		var ok bool
		if _, _, isKey := blockKey(rest); isKey || isSeqEntry(rest) {
			p.col += 1 + spaces
			v, ok = p.node(p.col)
		} else if v, ok = plainOrQuoted(rest); ok {
			p.advance()
			ok = p.i == len(p.lines) || p.col <= indent
		}
		if !ok {
			return nil, false
		}
		list = append(list, v)
	}
	return list, true
}
