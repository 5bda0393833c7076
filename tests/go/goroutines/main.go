// Scenario goroutines: goroutines blocked forever, each holding a buffer.
//
// Four goroutines run main.holder. Each gets a 1 MiB buffer (noscan, a large
// object: its slot is exactly 128 pages) from main.newBuffer, reports its
// goroutine id and the buffer's address, then blocks on a channel nobody ever
// sends on. The buffer is used after the receive, so the local variable is
// live across the block and the frame's stack map marks it. Path: the
// buf variable in main.holder's frame of that goroutine → buffer, 1 hop
// (a core names the variable from DWARF: root.variable "buf").
// (Below main.holder each stack has the go statement's wrapper,
// main.setup.func1 up to Go 1.21 and main.setup.gowrap1 from 1.22; it holds
// no pointer to the buffer.) Retention: each goroutine alone retains its
// buffer (≥ 1 MiB, `roots --by goroutine`, top user frame main.holder).
package main

import (
	"runtime"
	"strconv"
	"strings"
	"time"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

const (
	nHolders   = 4
	bufferSize = 1 << 20
)

// never is never sent on nor closed.
var never = make(chan struct{})

type report struct {
	goid int64
	addr uint64
}

//go:noinline
func newBuffer() []byte { return make([]byte, bufferSize) }

func holder(id int, ready chan<- report) {
	buf := newBuffer()
	buf[0] = byte(id)
	ready <- report{goid: truth.GoroutineID(), addr: truth.Addr(buf)}
	<-never
	runtime.KeepAlive(buf)
	println(len(buf))
}

//go:noinline
func setup() []truth.Item {
	ready := make(chan report)
	for i := 0; i < nHolders; i++ {
		go holder(i, ready)
	}
	var items []truth.Item
	for i := 0; i < nHolders; i++ {
		r := <-ready
		base, size := truth.Slot(r.addr, bufferSize, false)
		items = append(items, truth.Stack("buffer-g"+strconv.FormatInt(r.goid, 10), r.addr, base, size,
			"main.holder", r.goid, "main.newBuffer", 1).Var("buf").
			Retains(size, 1).Dominated(0, 0, 0, ""))
	}
	return items
}

func main() {
	dump, tf := truth.Args()
	items := setup()
	// Every holder has sent its report; wait until each is parked on never.
	deadline := time.Now().Add(10 * time.Second)
	for parked() < nHolders {
		if time.Now().After(deadline) {
			panic("holders did not block")
		}
		runtime.Gosched()
	}
	var ret []truth.Retention
	for _, it := range items {
		ret = append(ret, truth.GoroutineRetains(*it.Goroutine, "main.holder", it.Size))
	}
	truth.FinishFacts("goroutines", dump, tf, items, truth.Facts{Retention: ret})
}

// parked counts goroutines blocked in main.holder's receive on never.
func parked() int {
	buf := make([]byte, 1<<16)
	s := string(buf[:runtime.Stack(buf, true)])
	return strings.Count(s, "[chan receive")
}
