package policy

// jsonScanner walks JSON text without decoding it, so that DecodePod can
// skip, at the price of one pass over their bytes, the parts of a pod no
// mutator reads (managedFields, the containers' env, probes and mounts,
// status) and hand only the rest to encoding/json. It validates what it
// skips as encoding/json would; anything it cannot vouch for makes it give
// up (ok false), and DecodePod then decodes the whole pod with
// encoding/json, which reports the error or handles the rare case.
type jsonScanner struct {
	data []byte
	i    int
}

// maxJSONDepth is where the scanner gives up, well below encoding/json's
// limit of 10,000: no pod nests this deep.
const maxJSONDepth = 1000

func (s *jsonScanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// value skips one value and returns its text.
func (s *jsonScanner) value(depth int) ([]byte, bool) {
	s.space()
	start := s.i
	if s.i >= len(s.data) || depth > maxJSONDepth {
		return nil, false
	}
	ok := false
	switch c := s.data[s.i]; {
	case c == '{':
		ok = s.object(depth+1, func([]byte) bool { _, ok := s.value(depth + 1); return ok })
	case c == '[':
		ok = s.array(depth+1, func() bool { _, ok := s.value(depth + 1); return ok })
	case c == '"':
		_, _, ok = s.str()
	case c == 't':
		ok = s.literal("true")
	case c == 'f':
		ok = s.literal("false")
	case c == 'n':
		ok = s.literal("null")
	default:
		ok = s.number()
	}
	return s.data[start:s.i], ok
}

// object walks the object at the cursor, calling member with each key (as
// written, without quotes) with the cursor before the member's value; member
// must consume the value.
func (s *jsonScanner) object(depth int, member func(key []byte) bool) bool {
	s.i++ // '{'
	s.space()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return true
	}
	for {
		s.space()
		if s.i >= len(s.data) || s.data[s.i] != '"' {
			return false
		}
		key, escaped, ok := s.str()
		if !ok || escaped {
			return false // an escaped key may spell a field: leave it to encoding/json
		}
		s.space()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return false
		}
		s.i++
		if !member(key) {
			return false
		}
		if done, ok := s.next('}'); !ok || done {
			return ok
		}
	}
}

// array walks the array at the cursor, calling item with the cursor before
// each item; item must consume it.
func (s *jsonScanner) array(depth int, item func() bool) bool {
	s.i++ // '['
	s.space()
	if s.i < len(s.data) && s.data[s.i] == ']' {
		s.i++
		return true
	}
	for {
		if !item() {
			return false
		}
		if done, ok := s.next(']'); !ok || done {
			return ok
		}
	}
}

// next consumes the separator after an object's member or an array's item:
// done when it is closing, which ends the container; not ok on anything
// else.
func (s *jsonScanner) next(closing byte) (done, ok bool) {
	s.space()
	if s.i >= len(s.data) {
		return false, false
	}
	switch s.data[s.i] {
	case ',':
		s.i++
		return false, true
	case closing:
		s.i++
		return true, true
	}
	return false, false
}

// str skips the string at the cursor and returns its content as written,
// and whether it holds escapes.
func (s *jsonScanner) str() (content []byte, escaped, ok bool) {
	start := s.i + 1
	for j := start; j < len(s.data); j++ {
		switch c := s.data[j]; {
		case c == '"':
			s.i = j + 1
			return s.data[start:j], escaped, true
		case c == '\\':
			escaped = true
			if j+1 >= len(s.data) {
				return nil, false, false
			}
			switch s.data[j+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				j++
			case 'u':
				if j+5 >= len(s.data) || !isHex4(s.data[j+2:j+6]) {
					return nil, false, false
				}
				j += 5
			default:
				return nil, false, false
			}
		case c < 0x20:
			return nil, false, false
		}
	}
	return nil, false, false
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

func (s *jsonScanner) literal(word string) bool {
	if len(s.data)-s.i < len(word) || string(s.data[s.i:s.i+len(word)]) != word {
		return false
	}
	s.i += len(word)
	return true
}

// number skips a number: -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
func (s *jsonScanner) number() bool {
	if s.i < len(s.data) && s.data[s.i] == '-' {
		s.i++
	}
	switch {
	case s.i < len(s.data) && s.data[s.i] == '0':
		s.i++
	case s.digits() == 0:
		return false
	}
	if s.i < len(s.data) && s.data[s.i] == '.' {
		s.i++
		if s.digits() == 0 {
			return false
		}
	}
	if s.i < len(s.data) && (s.data[s.i] == 'e' || s.data[s.i] == 'E') {
		s.i++
		if s.i < len(s.data) && (s.data[s.i] == '+' || s.data[s.i] == '-') {
			s.i++
		}
		if s.digits() == 0 {
			return false
		}
	}
	return true
}

func (s *jsonScanner) digits() int {
	start := s.i
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
	}
	return s.i - start
}

// end reports whether only white space follows the cursor.
func (s *jsonScanner) end() bool {
	s.space()
	return s.i == len(s.data)
}
