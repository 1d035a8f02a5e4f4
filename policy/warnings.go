package policy

import (
	"fmt"
	"slices"
)

// zoneWeightWarnings warns when a policy's zone preferences can outrank its
// pool preferences. The scheduler's NodeAffinity score sums the weights of
// the terms a node matches, so a fallback node in the favoured zone beats a
// preferred-pool node elsewhere once the zone weights differ by at least the
// gap between two pool weights.
func zoneWeightWarnings(c *compiled) []string {
	z := c.spec.Zones
	if z == nil || len(c.spec.Pools) < 2 {
		return nil
	}
	spread := zoneWeightSpread(c)
	gap := smallestPoolGap(c.spec.Pools)
	if spread == 0 || spread < gap {
		return nil
	}
	return []string{fmt.Sprintf("policy %s: zone weights (up to %d apart) can outrank the pool weights (gap %d): keep them below the gap",
		c.name, spread, gap)}
}

// zoneWeightSpread is how far apart the zone terms' summed weights can be for
// two nodes in different zones.
func zoneWeightSpread(c *compiled) int32 {
	z := c.spec.Zones
	zones := zoneList(z)
	for _, p := range z.Preferred {
		if !slices.Contains(zones, p.Name) {
			zones = append(zones, p.Name)
		}
	}
	if len(zones) == 0 {
		return 0 // sameZoneBy without a zone list scores through pod affinity
	}
	sums := make([]int32, len(zones))
	for i, zone := range zones {
		for _, p := range z.Preferred {
			if p.Name == zone {
				sums[i] += p.Weight
			}
		}
	}
	lowest, highest := slices.Min(sums), slices.Max(sums)
	if z.SameZoneBy != "" && len(zoneList(z)) > 0 {
		highest += c.sameZoneWeight
		if len(zones) == 1 {
			lowest += c.sameZoneWeight
		}
	}
	return highest - lowest
}

func smallestPoolGap(pools []Pool) int32 {
	weights := make([]int32, len(pools))
	for i, p := range pools {
		weights[i] = p.Weight
	}
	slices.Sort(weights)
	gap := int32(100)
	for i := 1; i < len(weights); i++ {
		if d := weights[i] - weights[i-1]; d > 0 && d < gap {
			gap = d
		}
	}
	return gap
}
