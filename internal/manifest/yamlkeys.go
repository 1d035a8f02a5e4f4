package manifest

// sortYAMLKeys sorts a mapping's keys as yaml.v2 does (sort.Sort with
// keyList.Less, sorter.go). That order is not a total order for every set
// of strings, and where it is not yaml.v2's output depends on the map's
// iteration order: sortYAMLKeys reports false then, and for keys outside
// ASCII, whose runes it does not compare.
func sortYAMLKeys(keys []string) bool {
	for _, k := range keys {
		for i := 0; i < len(k); i++ {
			if k[i] >= 0x80 {
				return false
			}
		}
	}
	for i := 1; i < len(keys); i++ { // insertion sort: mappings are small
		for j := i; j > 0 && yamlKeyLess(keys[j], keys[j-1]); j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	for i := range keys {
		for j := i + 1; j < len(keys); j++ {
			if !yamlKeyLess(keys[i], keys[j]) {
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
