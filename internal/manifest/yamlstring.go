package manifest

import (
	"bytes"
	"strconv"
	"strings"
	"sync"

	yamlv2 "go.yaml.in/yaml/v2"
)

// fold says where a scalar starts and how yaml.v2 would fold it: a value
// is folded at a space past bestWidth onto a new line at indent, a key
// (on false) never.
type fold struct {
	on          bool
	col, indent int
}

// appendYAMLString appends s as yaml.v2 prints a string in block context
// (encoder.stringv, then the emitter's analysis and writers): plain when it
// reads back as the same string and no indicator forbids it, single-quoted
// when only plain is forbidden, double-quoted when plain would read as
// another type. ok is false for a string with a byte outside printable
// ASCII (a line break, a tab, UTF-8: styles and escapes this printer does
// not implement). Where the type a number-like string resolves to is not
// plainly known, yaml.v2 itself is asked (oracleString).
func appendYAMLString(buf []byte, s string, f fold) ([]byte, bool) {
	if s == "" {
		return append(buf, `""`...), true // resolves to null
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return buf, false
		}
	}
	if len(s) <= 5 && resolvesToOther[s] { // none is longer: most strings skip the hash
		return appendStyled(buf, s, '"', f), true
	}
	switch s[0] {
	case '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if allDigits(s) {
			return appendStyled(buf, s, '"', f), true // an integer or a float
		}
		if numberLike(s) {
			return oracleString(buf, s, f)
		}
	case '.':
		if _, err := strconv.ParseFloat(s, 64); err == nil {
			return appendStyled(buf, s, '"', f), true
		}
	}
	if plainAllowed(s) {
		return appendStyled(buf, s, 0, f), true
	}
	return appendStyled(buf, s, '\'', f), true
}

// numberLikeBytes are the bytes of every text yaml.v2's (and yaml.v3's)
// resolve could read as an integer (any base, underscores), a float or a
// timestamp; a string starting with a sign or digit that holds another
// byte is a string, and not a base-60 float either.
const numberLikeBytes = "0123456789abcdefABCDEF+-._xXoObBtTzZ: "

// numberLikeSet is numberLikeBytes as a table.
var numberLikeSet = func() (set [256]bool) {
	for i := range len(numberLikeBytes) {
		set[numberLikeBytes[i]] = true
	}
	return set
}()

// numberLike reports whether s holds only numberLikeBytes.
func numberLike(s string) bool {
	for i := 0; i < len(s); i++ {
		if !numberLikeSet[s[i]] {
			return false
		}
	}
	return true
}

// allDigits reports whether s is one or more decimal digits.
func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// resolvesToOther are the strings yaml.v2's resolve table reads as a bool,
// null or float (resolve.go's resolveMapList, "<<" aside: its first byte
// has no hint, so it stays a string), looked up before anything else.
var resolvesToOther = map[string]bool{
	"y": true, "Y": true, "yes": true, "Yes": true, "YES": true,
	"true": true, "True": true, "TRUE": true,
	"on": true, "On": true, "ON": true,
	"n": true, "N": true, "no": true, "No": true, "NO": true,
	"false": true, "False": true, "FALSE": true,
	"off": true, "Off": true, "OFF": true,
	"~": true, "null": true, "Null": true, "NULL": true,
	".nan": true, ".NaN": true, ".NAN": true,
	".inf": true, ".Inf": true, ".INF": true,
	"+.inf": true, "+.Inf": true, "+.INF": true,
	"-.inf": true, "-.Inf": true, "-.INF": true,
}

// plainAllowed is yaml_emitter_analyze_scalar's block_plain_allowed for a
// one-line printable ASCII string: no leading or trailing space, no
// indicator at its start ("- ", "? ", ": ", "#", "&", ...), no ": " or
// " #" inside, not a document marker.
func plainAllowed(s string) bool {
	if s[0] == ' ' || s[len(s)-1] == ' ' || strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		return false
	}
	followedBySpace := func(i int) bool { return i+1 >= len(s) || s[i+1] == ' ' }
	switch s[0] {
	case '#', ',', '[', ']', '{', '}', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	case '?', ':', '-':
		if followedBySpace(0) {
			return false
		}
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case ':':
			if followedBySpace(i) {
				return false
			}
		case '#':
			if s[i-1] == ' ' {
				return false
			}
		}
	}
	return true
}

// appendStyled writes printable ASCII in a style (0 plain, or the quote) as
// yaml.v2's write_plain_scalar, write_single_quoted_scalar and
// write_double_quoted_scalar do: ' doubled in single quotes, '"' and '\'
// escaped in double quotes, and a value folded at a space once the line
// is past bestWidth (each writer has its own condition; a double-quoted
// line that would start with a space gets an escaping backslash).
func appendStyled(buf []byte, s string, style byte, f fold) []byte {
	col := f.col
	if style != 0 {
		buf = append(buf, style)
		col++
	}
	spaces := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == ' ' {
			if f.on && !spaces && col > bestWidth && foldable(s, i, style) {
				buf = append(buf, '\n')
				for range f.indent {
					buf = append(buf, ' ')
				}
				col = f.indent
				if style == '"' && s[i+1] == ' ' {
					buf = append(buf, '\\')
					col++
				}
			} else {
				buf = append(buf, ' ')
				col++
			}
			spaces = true
			continue
		}
		switch {
		case style == '\'' && c == '\'':
			buf = append(buf, '\'')
			col++
		case style == '"' && (c == '"' || c == '\\'):
			buf = append(buf, '\\')
			col++
		}
		buf = append(buf, c)
		col++
		spaces = false
	}
	if style != 0 {
		buf = append(buf, style)
	}
	return buf
}

// foldable is each writer's own condition for folding at the space s[i].
func foldable(s string, i int, style byte) bool {
	nextSpace := i+1 < len(s) && s[i+1] == ' '
	switch style {
	case 0:
		return !nextSpace
	case '\'':
		return i > 0 && i < len(s)-1 && !nextSpace
	}
	return i > 0 && i < len(s)-1
}

// oracleStrings caches how yaml.v2 prints the number-like strings it was
// asked about (UIDs, versions, dates): the same few recur in every pod.
var oracleStrings = struct {
	sync.Mutex
	m map[string]string
}{m: map[string]string{}}

// maxOracleStrings bounds the cache; strings past it are asked each time.
const maxOracleStrings = 8192

// oracleString appends s as yaml.v2 prints it on its own, when that is one
// line and would not be folded where it stands.
func oracleString(buf []byte, s string, f fold) ([]byte, bool) {
	oracleStrings.Lock()
	text, ok := oracleStrings.m[s]
	oracleStrings.Unlock()
	if !ok {
		raw, err := yamlv2.Marshal(s)
		if err != nil || bytes.Count(raw, []byte("\n")) != 1 {
			return buf, false
		}
		text = string(raw[:len(raw)-1])
		oracleStrings.Lock()
		if len(oracleStrings.m) < maxOracleStrings {
			oracleStrings.m[s] = text
		}
		oracleStrings.Unlock()
	}
	if f.on && f.col+len(text) > bestWidth && strings.Contains(text, " ") {
		return buf, false
	}
	return append(buf, text...), true
}
