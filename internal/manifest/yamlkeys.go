package manifest

import "slices"

// sortYAMLKeys sorts a mapping's entries by key as yaml.v2 does
// (sort.Sort with keyList.Less, sorter.go). That order is not a total order
// for every set of strings, and where it is not yaml.v2's output depends on
// the map's iteration order: sortYAMLKeys reports false then, and for keys
// outside ASCII, whose runes it does not compare. Keys without a digit are
// always in a total order (bytes compared, letters after the rest).
func sortYAMLKeys(entries []entry) bool {
	digits := false
	for _, e := range entries {
		for i := 0; i < len(e.k); i++ {
			if e.k[i] >= 0x80 {
				return false
			}
			digits = digits || isASCIIDigit(e.k[i])
		}
	}
	slices.SortFunc(entries, func(a, b entry) int {
		switch {
		case yamlKeyLess(a.k, b.k):
			return -1
		case yamlKeyLess(b.k, a.k):
			return 1
		}
		return 0
	})
	if !digits {
		return true
	}
	for i := range entries {
		for j := i + 1; j < len(entries); j++ {
			if !yamlKeyLess(entries[i].k, entries[j].k) {
				return false // not consistent with one order: any sort may differ
			}
		}
	}
	return true
}

// yamlKeyLess is keyList.Less for two ASCII strings: letters after other
// bytes, runs of digits compared as numbers.
func yamlKeyLess(a, b string) bool {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] == b[i] {
			continue
		}
		al, bl := isASCIILetter(a[i]), isASCIILetter(b[i])
		if al && bl {
			return a[i] < b[i]
		}
		if al || bl {
			return bl
		}
		var an, bn int64
		if a[i] == '0' || b[i] == '0' {
			for j := i - 1; j >= 0 && isASCIIDigit(a[j]); j-- {
				if a[j] != '0' {
					an, bn = 1, 1
					break
				}
			}
		}
		ai, bi := i, i
		for ; ai < len(a) && isASCIIDigit(a[ai]); ai++ {
			an = an*10 + int64(a[ai]-'0')
		}
		for ; bi < len(b) && isASCIIDigit(b[bi]); bi++ {
			bn = bn*10 + int64(b[bi]-'0')
		}
		if an != bn {
			return an < bn
		}
		if ai != bi {
			return ai < bi
		}
		return a[i] < b[i]
	}
	return len(a) < len(b)
}

func isASCIILetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }
