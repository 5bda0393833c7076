// Scenario sites: allocation sites with known live objects and keepers,
// and a heap profile of the same moment (`retain sites --profile`).
//
// Every allocation is sampled (MemProfileRate 1, set in init, before any
// object of ours). The program allocates from four functions:
//   - main.newEntry: 300 64-byte entries, kept by the global main.cache;
//   - main.newBuffer: 40 4 KiB buffers, kept by an array in the frame of
//     main.holder, a goroutine blocked on a channel;
//   - main.newShared: 10 256-byte blocks, each kept by both main.left and
//     main.right (several roots together: "shared");
//   - main.newGarbage: 500 blocks dropped at once: freed by the collection
//     before the dump, so neither the heap nor the profile has them live;
//   - main.logEvent, inlined into main.login: 20 48-byte events kept by
//     main.events, named alike by the core, the profile and (expanded
//     through the executable's inline tree) the dump.
// Then it collects twice (a heap profile reports the heap as of the last
// completed collection) and writes the heap profile next to the dump,
// then the dump and, as asked, the core, allocating nothing our sites
// would count in between.
package main

import (
	"path/filepath"
	"runtime"

	"retaintest/internal/heapprof"
	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

type entry struct {
	key, val [4]uint64 // 64 bytes, no pointers
}

var cache = map[int]*entry{}

var left, right []*[256]byte

var block = make(chan struct{})

//go:noinline
func newEntry(i int) *entry { e := &entry{}; e.key[0] = uint64(i); return e }

//go:noinline
func newBuffer() *[4096]byte { return new([4096]byte) }

//go:noinline
func newShared() *[256]byte { return new([256]byte) }

//go:noinline
func newGarbage() *[128]byte { return new([128]byte) }

type event struct{ msg [48]byte }

var events []*event

// logEvent is inlined into login: a core and pprof name it from the
// inline tree; a heap dump records login with logEvent's line.
func logEvent(i int) *event { e := &event{}; e.msg[0] = byte(i); return e }

//go:noinline
func login(i int) { events = append(events, logEvent(i)) }

//go:noinline
func fill(bufs *[40]*[4096]byte) {
	for i := range bufs {
		bufs[i] = newBuffer()
	}
}

// holder keeps the buffers in an array in its own frame (a stack object
// DWARF places), blocked until the end.
//
//go:noinline
func holder(ready chan<- struct{}) {
	var bufs [40]*[4096]byte
	fill(&bufs)
	ready <- struct{}{}
	<-block
	runtime.KeepAlive(&bufs)
}

//go:noinline
func setup() []truth.Item {
	for i := 0; i < 300; i++ {
		cache[i] = newEntry(i)
	}
	for i := 0; i < 10; i++ {
		b := newShared()
		left = append(left, b)
		right = append(right, b)
	}
	events = make([]*event, 0, 32)
	for i := 0; i < 20; i++ {
		login(i)
	}
	var sink []*[128]byte
	for i := 0; i < 500; i++ {
		sink = append(sink, newGarbage())
	}
	sink = nil
	ready := make(chan struct{})
	go holder(ready)
	<-ready
	addr := truth.Addr(cache[7])
	base, size := truth.Slot(addr, 64, false)
	// main.cache → map header → bucket array → the entry (swiss maps, 1.24+:
	// header → directory → table → group array → the entry)
	return []truth.Item{truth.Global("entry7", addr, base, size, "main.cache", "main.newEntry",
		map[string]int{"min": 2, "max": 5})}
}

func main() {
	dump, tf := truth.Args()
	items := setup()
	profile := dump + ".pb.gz"
	heapprof.Write(profile)
	truth.FinishFacts("sites", dump, tf, items, truth.Facts{
		Profile: filepath.Base(profile),
		Sites: []truth.Site{
			{Function: "main.newEntry", Objects: 300, Bytes: 300 * 64, Root: "main.cache"},
			{Function: "main.newBuffer", Objects: 40, Bytes: 40 * 4096, Root: "goroutine main.holder"},
			{Function: "main.newShared", Objects: 10, Bytes: 10 * 256, Root: "shared"},
			{Function: "main.logEvent", Objects: 20, Bytes: 20 * 48, Root: "main.events"},
		},
	})
	close(block)
}
