// Scenario sitesrate: allocation sites at Go's default sampling rate
// (MemProfileRate 512 KiB), where a site's live objects are a sample and
// `retain sites` estimates the population with pprof's formula.
//
// main.newBlock allocates 2048 blocks of 16 KiB (32 MiB), all kept by the
// global main.blocks. Each is sampled with probability 1-e^(-16384/524288)
// ≈ 3.1 %, so about 63 carry an allocation stack; the estimate (each
// sample stands for 1/(1-e^(-s/r)) objects) is 2048 ± 13 % (one standard
// deviation); the test allows ±50 %. The heap profile, written at the same
// moment from the same samples, must estimate the same.
package main

import (
	"path/filepath"

	"retaintest/internal/heapprof"
	"retaintest/internal/truth"
)

const blockSize = 16 << 10

var blocks []*[blockSize]byte

//go:noinline
func newBlock() *[blockSize]byte { return new([blockSize]byte) }

//go:noinline
func setup() []truth.Item {
	blocks = make([]*[blockSize]byte, 0, 2048)
	for i := 0; i < 2048; i++ {
		blocks = append(blocks, newBlock())
	}
	addr := truth.Addr(blocks[100])
	base, size := truth.Slot(addr, blockSize, false)
	// "": the block is sampled with probability 3 %, its site mostly unknown
	return []truth.Item{truth.Global("block100", addr, base, size, "main.blocks", "", 2)}
}

func main() {
	dump, tf := truth.Args()
	items := setup()
	profile := dump + ".pb.gz"
	heapprof.Write(profile)
	truth.FinishFacts("sitesrate", dump, tf, items, truth.Facts{
		Profile: filepath.Base(profile),
		Sites: []truth.Site{
			{Function: "main.newBlock", Objects: 2048, Bytes: 2048 * blockSize, Root: "main.blocks", Estimated: true},
		},
	})
}
