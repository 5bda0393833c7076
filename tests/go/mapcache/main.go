// Scenario mapcache: an unbounded global map cache that is never pruned.
//
// main.cache maps 10,000 keys to *Entry (48 bytes, pointerful, an exact size
// class, no malloc header), each allocated by main.newEntry. The path to an
// entry runs through the map's internals, which differ by Go version:
//   - hash maps (≤1.23, or 1.24 with GOEXPERIMENT=noswissmap): cache → hmap →
//     bucket array → entry = 3 hops, one more for each separately allocated
//     overflow bucket on the way (overflow buckets preallocated inside the
//     bucket array add none): the truth says 3..5;
//   - swiss tables (1.24+): cache → Map → directory → table → group array →
//     entry = 5 hops (10,000 entries need many tables, so the map always has
//     a directory).
//
// Each entry retains itself and its 64-byte payload (the key string is also
// referenced by the map, so no entry retains it); main.cache retains them all.
package main

import (
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

// Entry is one cached session: 16 (string) + 24 (slice) + 8 = 48 bytes.
type Entry struct {
	Key     string
	Payload []byte
	Hits    int64
}

const nEntries = 10000

var cache = map[string]*Entry{}

//go:noinline
func newEntry(key string, i int) *Entry {
	return &Entry{Key: key, Payload: make([]byte, 64), Hits: int64(i)}
}

//go:noinline
func setup() []truth.Item {
	for i := 0; i < nEntries; i++ {
		key := "session-" + strconv.Itoa(i)
		cache[key] = newEntry(key, i)
	}
	var items []truth.Item
	for _, i := range []int{0, 4242, nEntries - 1} {
		e := cache["session-"+strconv.Itoa(i)]
		a := truth.Addr(e)
		base, size := truth.Slot(a, 48, true)
		items = append(items, truth.Global("entry"+strconv.Itoa(i), a, base, size,
			"main.cache", "main.newEntry", pathLength()).
			Retains(size+payloadSlot, 2))
	}
	return items
}

// payloadSlot is the slot size of an Entry's 64-byte noscan payload.
const payloadSlot = 64

// pathLength is the expected path length to an entry of cache.
func pathLength() interface{} {
	if swissMaps() {
		return 5
	}
	return truth.Range{Min: 3, Max: 5}
}

// swissMaps tells whether this binary's maps are swiss tables: the default
// from Go 1.24, the only kind from 1.26; GOEXPERIMENT=noswissmap (1.24, 1.25)
// shows in the build settings.
func swissMaps() bool {
	v := runtime.Version()
	minor, _ := strconv.Atoi(strings.SplitN(strings.TrimPrefix(v, "go1."), ".", 2)[0])
	if !strings.HasPrefix(v, "go1.") || minor >= 26 {
		return true
	}
	if minor < 24 {
		return false
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "GOEXPERIMENT" && strings.Contains(s.Value, "noswissmap") {
				return false
			}
		}
	}
	return true
}

func main() {
	dump, tf := truth.Args()
	items := setup()
	perEntry := items[0].Size + payloadSlot
	truth.FinishFacts("mapcache", dump, tf, items, truth.Facts{Retention: []truth.Retention{
		truth.RootRetains("variable", "main.cache", nEntries*perEntry).AtLeastObjects(2 * nEntries),
		truth.RootRetains("site", "main.newEntry", nEntries*perEntry).AtLeastObjects(2 * nEntries),
	}})
}
