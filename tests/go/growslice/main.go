// Scenario growslice: a global slice that only ever grows.
//
// main.blocks holds 1000 blocks of 4096 bytes (an exact size class, noscan),
// each allocated by main.newBlock. Path to a block: main.blocks → the slice's
// backing array (hop 1; from Go 1.22 it has a malloc header, so main.blocks
// points 8 bytes into its slot, whose header names its type: a core says
// "[][]uint8") → the block (hop 2). Retention: the backing
// array dominates every block, so main.blocks retains all blocks plus the
// backing array's slot (recorded in the truth's "retention").
package main

import (
	"runtime"
	"strconv"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

const (
	nBlocks   = 1000
	blockSize = 4096
)

var blocks [][]byte

//go:noinline
func newBlock() []byte { return make([]byte, blockSize) }

//go:noinline
func setup() ([]truth.Item, truth.Facts) {
	for i := 0; i < nBlocks; i++ {
		b := newBlock()
		b[0] = byte(i)
		blocks = append(blocks, b)
	}
	// The backing array itself: grown by append (runtime.growslice), which
	// the memory profile attributes to the function calling append.
	a := truth.Addr(blocks)
	backingBase, backingSize := truth.Slot(a, uint64(cap(blocks))*24, true)
	var items []truth.Item
	var blockSlot uint64
	for _, i := range []int{0, nBlocks / 2, nBlocks - 1} {
		a := truth.Addr(blocks[i])
		base, size := truth.Slot(a, blockSize, false)
		blockSlot = size
		items = append(items, truth.Global("block"+strconv.Itoa(i), a, base, size,
			"main.blocks", "main.newBlock", 2).Type("["+strconv.Itoa(cap(blocks[i]))+"]uint8").
			Via("["+strconv.Itoa(i)+"]").
			Retains(size, 1).Dominated(1, backingBase, backingBase, "global main.blocks"))
	}
	total := nBlocks*blockSlot + backingSize
	items = append(items, truth.Global("backing", a, backingBase, backingSize,
		"main.blocks", "main.setup", 1).Type("["+strconv.Itoa(cap(blocks))+"][]uint8").
		Retains(total, nBlocks+1).Dominated(0, 0, 0, "global main.blocks"))
	facts := truth.Facts{Retention: []truth.Retention{
		truth.RootRetains("variable", "main.blocks", total).AtLeastObjects(nBlocks + 1),
		truth.RootRetains("group", "globals", total),
		truth.RootRetains("site", "main.newBlock", nBlocks*blockSlot).AtLeastObjects(nBlocks),
		truth.RootRetains("site", "main.setup", total).AtLeastObjects(nBlocks + 1),
	}}
	return items, facts
}

func main() {
	dump, tf := truth.Args()
	items, facts := setup()
	truth.FinishFacts("growslice", dump, tf, items, facts)
}
