package policy

// JSONScanner is the scanner DecodePod walks a pod with, for the webhook's
// one-pass decoding of the AdmissionReview around the pod: it walks JSON
// text once, validating what it passes as encoding/json would, and decodes
// nothing itself. A method that meets anything it cannot vouch for (invalid
// JSON, a value of another type, an escaped key) returns ok false; the
// caller then decodes with encoding/json, which reports the error or
// handles the rare case.
type JSONScanner struct{ s jsonScanner }

// scanDepth is the depth JSONScanner's values start at: the review around
// the pod nests a few levels, far from maxJSONDepth.
const scanDepth = 4

// NewJSONScanner returns a scanner at the start of data.
func NewJSONScanner(data []byte) *JSONScanner {
	return &JSONScanner{s: jsonScanner{data: data}}
}

// Object walks the object at the cursor, calling member with each key as
// written (without quotes) and the cursor before the member's value, which
// member must consume (with Value, Object, Array or Null). It is not ok
// for a value that is not an object, an escaped key, invalid JSON or a
// member returning false.
func (j *JSONScanner) Object(member func(key []byte) bool) bool {
	if j.peek() != '{' {
		return false
	}
	return j.s.object(scanDepth, member)
}

// Array walks the array at the cursor, calling item with the cursor
// before each item, which item must consume. It is not ok for a value that
// is not an array, invalid JSON or an item returning false.
func (j *JSONScanner) Array(item func() bool) bool {
	if j.peek() != '[' {
		return false
	}
	return j.s.array(scanDepth, item)
}

// Null consumes a null at the cursor and reports whether there was one;
// the cursor does not move otherwise.
func (j *JSONScanner) Null() bool {
	return j.peek() == 'n' && j.s.literal("null")
}

// Value consumes the value at the cursor, whatever its type, and returns
// its text.
func (j *JSONScanner) Value() ([]byte, bool) { return j.s.value(scanDepth) }

// End reports whether only white space follows the cursor.
func (j *JSONScanner) End() bool { return j.s.end() }

// peek skips white space and returns the byte at the cursor, 0 at the end.
func (j *JSONScanner) peek() byte {
	j.s.space()
	if j.s.i >= len(j.s.data) {
		return 0
	}
	return j.s.data[j.s.i]
}
