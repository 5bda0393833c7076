// Scenario leakedg: a goroutine leak, and goroutines in known states.
//
//   - 1000 goroutines run main.leaked: each allocates a 144-byte request
//     (main.newRequest) and blocks forever receiving from main.never,
//     keeping the request in its frame; all started by main.start. With
//     `goroutines --group` they are one row of count 1000, status waiting,
//     wait reason "chan receive", created by main.start.
//   - one goroutine runs main.sleeper, in time.Sleep (wait reason "sleep");
//   - one runs main.selecter, blocked in a select on two channels nobody
//     uses (wait reason "select").
package main

import (
	"runtime"
	"strings"
	"sync"
	"time"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

const nLeaked = 1000

var never = make(chan struct{})

// first is one request held by a global, the scenario's watched object.
var first *request
var a, b = make(chan int), make(chan int)

type request struct{ id, size, pad [6]uint64 }

//go:noinline
func newRequest(i int) *request { r := &request{}; r.id[0] = uint64(i); return r }

//go:noinline
func leaked(i int, wg *sync.WaitGroup) {
	r := newRequest(i)
	wg.Done()
	<-never
	runtime.KeepAlive(r)
}

//go:noinline
func sleeper(wg *sync.WaitGroup) {
	wg.Done()
	time.Sleep(time.Hour)
}

//go:noinline
func selecter(wg *sync.WaitGroup) {
	wg.Done()
	select {
	case <-a:
	case <-b:
	}
}

//go:noinline
func start() {
	var wg sync.WaitGroup
	wg.Add(nLeaked + 2)
	for i := 0; i < nLeaked; i++ {
		go leaked(i, &wg)
	}
	go sleeper(&wg)
	go selecter(&wg)
	wg.Wait()
}

// parked counts goroutines blocked as the scenario wants them.
func parked() int {
	buf := make([]byte, 16<<20)
	s := string(buf[:runtime.Stack(buf, true)])
	return strings.Count(s, "[chan receive") + strings.Count(s, "[sleep") + strings.Count(s, "[select")
}

func main() {
	dump, tf := truth.Args()
	first = newRequest(-1)
	addr := truth.Addr(first)
	base, size := truth.Slot(addr, 144, false)
	items := []truth.Item{truth.Global("first", addr, base, size, "main.first", "main.newRequest", 1)}
	start()
	deadline := time.Now().Add(20 * time.Second)
	for parked() < nLeaked+2 {
		if time.Now().After(deadline) {
			panic("goroutines did not block")
		}
		time.Sleep(10 * time.Millisecond)
	}
	truth.FinishFacts("leakedg", dump, tf, items, truth.Facts{Goroutines: []truth.GoroutineFact{
		{Function: "main.leaked", Count: nLeaked, Status: "waiting", WaitReason: "chan receive",
			CreatedBy: "main.start", MinRetained: 144},
		{Function: "main.sleeper", Count: 1, Status: "waiting", WaitReason: "sleep", CreatedBy: "main.start"},
		{Function: "main.selecter", Count: 1, Status: "waiting", WaitReason: "select", CreatedBy: "main.start"},
	}})
}
