// Scenario reslice: a 10 MiB array kept alive by a 10-byte re-slice.
//
// main.small = big[100:110], where big (10 MiB, noscan, a large object: its
// slot is exactly 1280 pages) comes from main.newBig. main.small points 100
// bytes into the slot — an interior pointer — and nothing else refers to big.
// Path: main.small → big, 1 hop. Retention: main.small alone keeps the whole
// slot alive (it retains ≥ 10 MiB); big dominates nothing, nothing but the
// root dominates big.
package main

import (
	"runtime"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

const bigSize = 10 << 20

var small []byte

//go:noinline
func newBig() []byte { return make([]byte, bigSize) }

//go:noinline
func setup() []truth.Item {
	big := newBig()
	copy(big[100:], "0123456789")
	small = big[100:110]
	base, size := truth.Slot(truth.Addr(big), bigSize, false)
	return []truth.Item{truth.Global("big", truth.Addr(small), base, size,
		"main.small", "main.newBig", 1).
		Retains(size, 1).Dominated(0, 0, 0, "global main.small")}
}

func main() {
	dump, tf := truth.Args()
	items := setup()
	size := items[0].Size
	truth.FinishFacts("reslice", dump, tf, items, truth.Facts{Retention: []truth.Retention{
		truth.RootRetains("variable", "main.small", size).AtLeastObjects(1),
		truth.RootRetains("site", "main.newBig", size),
	}})
}
