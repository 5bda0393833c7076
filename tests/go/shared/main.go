// Scenario shared: one buffer held by two globals.
//
// main.a and main.b are both the 64 KiB buffer from main.newBuffer (noscan,
// a large object: its slot is exactly 8 pages). Path: main.a → buffer and
// main.b → buffer, 1 hop each; the tie between the two equally short paths
// breaks by root name, so the first path starts at main.a and `why --all 2`
// shows main.a, then main.b.
//
// Retention: freeing either global alone frees nothing, so neither main.a
// nor main.b retains the buffer; only the globals group as a whole does. In
// the dominator tree the buffer hangs directly under the group node
// "globals": no object dominates it.
package main

import (
	"runtime"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

const bufferSize = 64 << 10

var a, b []byte

//go:noinline
func newBuffer() []byte { return make([]byte, bufferSize) }

//go:noinline
func setup() []truth.Item {
	buf := newBuffer()
	buf[0] = 1
	a = buf
	b = buf[1024:2048]
	addr := truth.Addr(buf)
	base, size := truth.Slot(addr, bufferSize, false)
	it := truth.Global("buffer", addr, base, size, "main.a", "main.newBuffer", 1).
		Retains(size, 1).Dominated(0, 0, 0, "globals")
	it.AllRoots = []string{"main.a", "main.b"}
	return []truth.Item{it}
}

func main() {
	dump, tf := truth.Args()
	items := setup()
	size := items[0].Size
	truth.FinishFacts("shared", dump, tf, items, truth.Facts{Retention: []truth.Retention{
		truth.RootRetainsLess("variable", "main.a", size),
		truth.RootRetainsLess("variable", "main.b", size),
		truth.RootRetains("group", "globals", size),
		truth.RootRetains("site", "main.newBuffer", size),
	}})
	if len(a) != bufferSize || len(b) != 1024 || &a[1024] != &b[0] {
		panic("shared")
	}
}
