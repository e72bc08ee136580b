package web

import (
	"sync"
	"sync/atomic"
	"time"
)

// Zones caches time zones by IANA name. time.LoadLocation reads and parses
// the zone database on every call (38% of the audit page's CPU when the
// inZone template function called it per row); a *time.Location is
// immutable and safe to share, so each name is loaded once per Zones.
//
// A Zones belongs to whoever builds it (the Renderer holds one for its
// template functions); there is no package-level cache.
type Zones struct {
	m sync.Map // name -> zoneEntry
	n atomic.Int64
}

type zoneEntry struct {
	loc *time.Location
	err error
}

// maxZones bounds what a Zones keeps: the zone database has about 600
// names, so only a flood of invalid names could reach it; past it, names
// are still answered, just not kept.
const maxZones = 2048

// Load is time.LoadLocation through the cache. Failures are cached too (a
// stored zone that no longer exists should not be re-read per row).
func (z *Zones) Load(name string) (*time.Location, error) {
	if e, ok := z.m.Load(name); ok {
		ze := e.(zoneEntry)
		return ze.loc, ze.err
	}
	loc, err := time.LoadLocation(name)
	if z.n.Load() < maxZones {
		if _, loaded := z.m.LoadOrStore(name, zoneEntry{loc: loc, err: err}); !loaded {
			z.n.Add(1)
		}
	}
	return loc, err
}

// In shows an instant in the named zone, or in UTC when the name is not a
// zone: the inZone template function.
func (z *Zones) In(t time.Time, name string) time.Time {
	loc, err := z.Load(name)
	if err != nil {
		return t.UTC()
	}
	return t.In(loc)
}
