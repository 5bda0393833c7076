// Scenario growth: two snapshots of one process, with known growth
// (`retain diff OLD -- NEW`).
//
// The first snapshot (heap dump DUMP.old and heap profile DUMP.old.pb.gz)
// is taken after main.newEntry filled main.cache with 200 64-byte
// main.entry values and main.newBlob put 50 main.blob values in
// main.blobs. Then 800 more entries go into main.cache (from the same call
// site, so that both snapshots see one allocation stack), main.blobs is
// emptied, and main.newFresh puts 10 main.fresh values in main.freshes;
// the second snapshot is the scenario's dump (and core) with its profile
// DUMP.pb.gz (the first snapshot also has a core, DUMP.old.core, when the
// test asks for cores). Growth: main.entry +800 (grew), main.blob -50 (gone),
// main.fresh +10 (new); site main.newEntry +800; the root main.cache
// grows by at least 800 x 64 bytes.
package main

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"

	"retaintest/internal/heapprof"
	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

type entry struct{ k, v [4]uint64 }
type blob struct{ data [96]byte }
type fresh struct{ data [32]byte }

// sized for all 1000 from the start: no map growth in progress at either
// snapshot
var cache = make(map[int]*entry, 1024)
var blobs []*blob
var freshes []*fresh

//go:noinline
func newEntry(i int) *entry { e := &entry{}; e.k[0] = uint64(i); return e }

//go:noinline
func newBlob() *blob { return &blob{} }

//go:noinline
func newFresh() *fresh { return &fresh{} }

//go:noinline
func fill(from, to int) {
	for i := from; i < to; i++ {
		cache[i] = newEntry(i)
	}
}

// snapshot writes the first heap dump and its profile, after collecting
// (a heap profile reports the heap as of the last completed collection).
func snapshot(dump string) {
	heapprof.Write(dump + ".pb.gz")
	f, err := os.Create(dump)
	if err != nil {
		panic(err)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		panic(err)
	}
	// and the core of the same moment (gdb's gcore of the live process):
	// `retain diff` of two cores
	truth.Snapshot(dump + ".core")
}

func main() {
	dump, tf := truth.Args()
	// one call site of fill for both steps: one allocation stack
	for step, upto := range []int{200, 1000} {
		fill(len(cache), upto)
		if step == 0 {
			for i := 0; i < 50; i++ {
				blobs = append(blobs, newBlob())
			}
			snapshot(dump + ".old")
		}
	}
	blobs = nil
	for i := 0; i < 10; i++ {
		freshes = append(freshes, newFresh())
	}
	heapprof.Write(dump + ".pb.gz")
	addr := truth.Addr(cache[500])
	base, size := truth.Slot(addr, 64, false)
	items := []truth.Item{truth.Global("entry500", addr, base, size, "main.cache", "main.newEntry",
		map[string]int{"min": 2, "max": 5})}
	truth.FinishFacts("growth", dump, tf, items, truth.Facts{
		Profile: filepath.Base(dump + ".pb.gz"),
		Growth: []truth.Growth{
			{By: "type", Name: "main.entry", Count: 800, Bytes: 800 * 64, Status: "grew"},
			{By: "type", Name: "main.blob", Count: -50, Bytes: -50 * 96, Status: "gone"},
			{By: "type", Name: "main.fresh", Count: 10, Bytes: 10 * 32, Status: "new"},
			{By: "site", Name: "main.newEntry", Count: 800, Bytes: 800 * 64, Status: "grew"},
			{By: "root", Name: "global main.cache", Bytes: 800 * 64, Status: "grew", AtLeast: true},
		},
	})
}
