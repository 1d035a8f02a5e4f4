package policy

// hashTable maps 32-bit hashes to small non-negative indexes, for the
// writer's lookups in what a pass added (tolerations, annotations): an
// open-addressing table with linear probing that holds no pointers, which
// the garbage collector skips. Equal hashes take a slot each; the caller's
// match decides between them. Its length is a power of two, at least twice
// the number of entries.
type hashTable struct {
	slots   []hashSlot
	entries int
}

// hashSlot holds a hash and 1 + its index; 0 marks a free slot.
type hashSlot struct {
	hash  uint32
	index int32
}

// newHashTable returns a table with room for capacity entries.
func newHashTable(capacity int) hashTable {
	size := 16
	for size < 2*capacity {
		size *= 2
	}
	return hashTable{slots: make([]hashSlot, size)}
}

// insert adds index under hash, growing the table when it is half full.
func (t *hashTable) insert(hash uint32, index int) {
	if 2*(t.entries+1) > len(t.slots) {
		old := t.slots
		t.slots = make([]hashSlot, max(2*len(old), 16))
		for _, s := range old {
			if s.index != 0 {
				t.put(s)
			}
		}
	}
	t.put(hashSlot{hash: hash, index: int32(index) + 1})
	t.entries++
}

func (t *hashTable) put(s hashSlot) {
	mask := uint32(len(t.slots) - 1)
	j := s.hash & mask
	for t.slots[j].index != 0 {
		j = (j + 1) & mask
	}
	t.slots[j] = s
}

// find returns the first index under hash that match accepts.
func (t *hashTable) find(hash uint32, match func(index int) bool) (int, bool) {
	if len(t.slots) == 0 {
		return 0, false
	}
	mask := uint32(len(t.slots) - 1)
	for j := hash & mask; t.slots[j].index != 0; j = (j + 1) & mask {
		if s := t.slots[j]; s.hash == hash && match(int(s.index-1)) {
			return int(s.index - 1), true
		}
	}
	return 0, false
}

// fnv32 is the FNV-1a hash (32 bits) of the strings, each followed by a
// 0xff byte, which no key or value of a label, annotation or toleration
// holds.
func fnv32(parts ...string) uint32 {
	const offset32, prime32 = 2166136261, 16777619
	h := uint32(offset32)
	for _, s := range parts {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint32(s[i])) * prime32
		}
		h = (h ^ 0xff) * prime32
	}
	return h
}
