// Scenario growslice: a global slice that only ever grows.
//
// main.blocks holds 1000 blocks of 4096 bytes (an exact size class, noscan),
// each allocated by main.newBlock. Path to a block: main.blocks → the slice's
// backing array (hop 1; from Go 1.22 it has a malloc header, so main.blocks
// points 8 bytes into its slot) → the block (hop 2).
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
func setup() []truth.Item {
	for i := 0; i < nBlocks; i++ {
		b := newBlock()
		b[0] = byte(i)
		blocks = append(blocks, b)
	}
	var items []truth.Item
	for _, i := range []int{0, nBlocks / 2, nBlocks - 1} {
		a := truth.Addr(blocks[i])
		base, size := truth.Slot(a, blockSize, false)
		items = append(items, truth.Global("block"+strconv.Itoa(i), a, base, size,
			"main.blocks", "main.newBlock", 2))
	}
	// The backing array itself: grown by append (runtime.growslice), which
	// the memory profile attributes to the function calling append.
	a := truth.Addr(blocks)
	base, size := truth.Slot(a, uint64(cap(blocks))*24, true)
	items = append(items, truth.Global("backing", a, base, size,
		"main.blocks", "main.setup", 1))
	return items
}

func main() {
	dump, tf := truth.Args()
	truth.Finish("growslice", dump, tf, setup())
}
