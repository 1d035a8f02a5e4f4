package manifest

import (
	"strings"
	"sync"

	"gopkg.in/yaml.v3"
)

// blockKey splits "key: rest" (rest without its leading spaces, "" when the
// value is on the next lines). The key is plain ([A-Za-z0-9_./-], not
// starting with '-') or quoted; the converter takes a key's text whatever
// it resolves to.
func blockKey(text string) (key, rest string, ok bool) {
	var after string
	switch text[0] {
	case '"', '\'':
		if key, after, ok = quoted(text); !ok {
			return "", "", false
		}
	default:
		n := 0
		for n < len(text) && isKeyByte(text[n]) {
			n++
		}
		if n == 0 || text[0] == '-' {
			return "", "", false
		}
		key, after = text[:n], text[n:]
	}
	if after == ":" {
		return key, "", true
	}
	if len(after) < 2 || after[0] != ':' || after[1] != ' ' || len(key) > 1000 {
		return "", "", false
	}
	return key, strings.TrimLeft(after[2:], " "), true
}

func isKeyByte(c byte) bool {
	return isASCIILetter(c) || isASCIIDigit(c) || c == '_' || c == '.' || c == '/' || c == '-'
}

// quoted reads a one-line quoted scalar at the start of text: its value and
// what follows it. A double-quoted one with an escape is refused.
func quoted(text string) (value, after string, ok bool) {
	q := text[0]
	if q == '"' {
		end := strings.IndexAny(text[1:], `"\`) + 1
		if end == 0 || text[end] != '"' {
			return "", "", false
		}
		return text[1:end], text[end+1:], true
	}
	var b strings.Builder
	for i := 1; i < len(text); i++ {
		if text[i] != '\'' {
			continue
		}
		if i+1 < len(text) && text[i+1] == '\'' {
			b.WriteString(text[1:i]) // '' is one quote: rebuild the rare value
			v, after, ok := quoted("'" + text[i+2:])
			return b.String() + "'" + v, after, ok
		}
		return text[1:i], text[i+1:], true
	}
	return "", "", false
}

// plainOrQuoted reads a scalar value that fills the rest of its line: a
// quoted string, {} or [], or a plain scalar resolved as yaml.v3 resolves
// it and converted as the converter converts it.
func plainOrQuoted(text string) (any, bool) {
	text = strings.TrimRight(text, " ")
	switch text[0] {
	case '"', '\'':
		v, after, ok := quoted(text)
		return v, ok && after == ""
	case '{', '[':
		switch text {
		case "{}":
			return Object{}, true
		case "[]":
			return []any{}, true
		}
		return nil, false
	case ',', ']', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', '?', ':':
		return nil, false
	case '-':
		if len(text) == 1 || text[1] == ' ' {
			return nil, false
		}
	}
	if text[len(text)-1] == ':' || strings.Contains(text, ": ") || strings.Contains(text, " #") {
		return nil, false
	}
	return plainValue(text)
}

// plainValue converts a plain scalar: a string unless its first byte is one
// of yaml.v3's resolve hints and its text could be a bool, null, number or
// timestamp; a small decimal integer directly; the rest as the converter
// converts what yaml.v3 parses (plainOracle).
func plainValue(text string) (any, bool) {
	switch c := text[0]; c {
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~':
		switch text {
		case "true", "True", "TRUE", "false", "False", "FALSE", "~", "null", "Null", "NULL":
			return plainOracle(text)
		}
		return text, true
	case '.', '<':
		return plainOracle(text)
	case '+', '-', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		if c != '0' && c != '+' && c != '-' && len(text) <= 15 && allDigits(text) {
			n := 0.0
			for i := 0; i < len(text); i++ {
				n = n*10 + float64(text[i]-'0')
			}
			return n, true // integer() then number(): a float64, exact below 2^53
		}
		if !numberLike(text) || !mayBeNumber(text) {
			return text, true // no int, float or timestamp has this byte
		}
		return plainOracle(text)
	}
	return text, true
}

// mayBeNumber reports whether a numberLike text may still be a number: a
// hex digit other than b and e (which binary and float texts hold) comes
// only with the x of a hex integer.
func mayBeNumber(s string) bool {
	hex := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 'x', 'X':
			return true
		case 'a', 'c', 'd', 'f', 'A', 'C', 'D', 'F':
			hex = true
		}
	}
	return !hex
}

// plainValues caches plainOracle's answers: the same few values (true, 0,
// 420, 1.5) recur in every document.
var plainValues = struct {
	sync.Mutex
	m map[string]any
}{m: map[string]any{}}

// maxPlainValues bounds the cache; values past it are parsed each time.
const maxPlainValues = 8192

// plainOracle converts a plain scalar as the converter converts the node
// yaml.v3 parses from "v: text". The values are shared between documents:
// they are scalars, never written to.
func plainOracle(text string) (any, bool) {
	plainValues.Lock()
	v, ok := plainValues.m[text]
	plainValues.Unlock()
	if ok {
		return v, true
	}
	var root yaml.Node
	if yaml.Unmarshal([]byte("v: "+text), &root) != nil || len(root.Content) != 1 || len(root.Content[0].Content) != 2 {
		return nil, false
	}
	n := root.Content[0].Content[1]
	if n.Kind != yaml.ScalarNode || n.Style != 0 || n.Value != text {
		return nil, false
	}
	v, err := scalar(n)
	if err != nil {
		return nil, false // the converter's positioned error, from yaml.v3's path
	}
	plainValues.Lock()
	if len(plainValues.m) < maxPlainValues {
		plainValues.m[strings.Clone(text)] = v
	}
	plainValues.Unlock()
	return v, true
}
