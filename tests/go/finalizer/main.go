// Scenario finalizer: what finalizers and cleanups keep alive.
//
// The GC treats a finalizer as a root that keeps what the finalized object
// points to and the finalizer's closure, but not the object itself (or it
// could never be collected); once the object is found unreachable, the GC
// queues the finalizer, and a queued finalizer keeps its object
// (runtime/mgcmark.go: markrootSpans, the finalizer-queue root). Cleanups
// (runtime.AddCleanup, Go 1.24+) keep their function and argument.
//
// Items:
//   - X (main.newOwner): a node with a finalizer that nothing references:
//     unreachable. No collection runs between setting the finalizer and the
//     dump (the GC is off from the start, and the dump is taken without one:
//     truth.FinishWithoutGC), so the finalizer is not queued.
//   - C (main.newChild), X's child: root finalizer, 1 hop (the root keeps
//     what X points to).
//   - K (main.newCaptured), captured by X's finalizer closure: root
//     finalizer, 2 hops (finalizer → closure → K).
//   - Q (main.newQueued): a node whose finalizer has been queued: root
//     "queued finalizer", 1 hop. To keep it queued until the dump, a first
//     finalizer (of B, main.newBlocker) is queued and run before, and never
//     returns: the runtime runs finalizers one at a time on one goroutine,
//     so Q's stays in the queue. (B is queued too while its finalizer runs,
//     but its argument is also on that goroutine's stack: not an item.)
//   - Go 1.24+ (cleanup.go): Y (main.newCleanupOwner) with a cleanup:
//     unreachable; the cleanup's argument A (main.newCleanupArg) and an
//     object P captured by the cleanup function (main.newCleanupCaptured):
//     root cleanup, and unreachable on the dump (heap dumps record no
//     cleanups). Paths on 1.24, where the cleanup record holds one closure
//     that runtime.AddCleanup makes around the function and the argument
//     (which it captures by reference, having taken its address): A 3 hops
//     (record → that closure → the argument's cell → A), P 3 hops (record →
//     that closure → the cleanup function's closure → P). From 1.26 the
//     record holds the function and a box with the argument itself: A 2
//     hops (record → box → A), P 2 hops (record → function's closure → P).
//     1.25 (no toolchain here): either.
//   - Go 1.24+ (cleanup.go): a queued cleanup, whose argument A2
//     (main.newQueuedCleanupArg) and captured R (main.newQueuedCleanupCaptured)
//     it keeps: root "queued cleanup", 3 hops on 1.24 and 2 from 1.26 as
//     above. 1.24 runs cleanups on the finalizer goroutine, already blocked;
//     1.26+ on cleanup goroutines, one of them here (GOMAXPROCS 2), blocked
//     by a first cleanup that never returns. 1.24 queues cleanups with the
//     finalizers, so its heap dump has the record (as a queued finalizer
//     without object); 1.26+ keep their own queue, which dumps do not
//     record: there A2 and R are unreachable on the dump.
//
// Every object is a size-class slot of its own (48-byte noscan leaves,
// 32-byte pointerful nodes: neither tiny nor behind a malloc header).
package main

import (
	"runtime"
	"runtime/debug"
	"time"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

const (
	leafSize = 48
	nodeSize = 32
)

// leaf holds no pointers; node points to a leaf.
type leaf struct{ data [leafSize]byte }

type node struct {
	child *leaf
	pad   [3]uint64
}

var (
	// sinks the closures write to, so that they capture what they name
	sinkLeaf *leaf
	sinkNode *node

	blockerStarted = make(chan struct{})
	never          = make(chan struct{}) // never sent on nor closed
)

//go:noinline
func newOwner() *node { return new(node) }

//go:noinline
func newChild() *leaf { return new(leaf) }

//go:noinline
func newCaptured() *leaf { return new(leaf) }

//go:noinline
func newQueued() *node { return new(node) }

//go:noinline
func newBlocker() *node { return new(node) }

// blockFinalizers queues the finalizer of an unreachable object and waits
// until the finalizer goroutine runs it; the finalizer never returns, so
// every finalizer queued later stays queued.
func blockFinalizers() {
	queueBlocker()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC() // finds B unreachable and queues its finalizer
		select {
		case <-blockerStarted:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			panic("finalizer: the blocking finalizer did not run")
		}
	}
}

//go:noinline
func queueBlocker() {
	b := newBlocker()
	runtime.SetFinalizer(b, func(b *node) {
		sinkNode = b
		close(blockerStarted)
		<-never
	})
}

// queueOne sets a finalizer on a fresh node, drops the node and collects:
// the GC finds it unreachable and queues its finalizer, which keeps it.
//
//go:noinline
func queueOne() (addr uint64, fn string) {
	q := newQueued()
	f := func(q *node) { sinkNode = q }
	runtime.SetFinalizer(q, f)
	addr = truth.Addr(q)
	q = nil
	runtime.GC()
	return addr, truth.FuncName(f)
}

// finalized sets a finalizer on X, which points to C, with a closure that
// captures K; nothing else keeps X, C or K.
//
//go:noinline
func finalized() []truth.Item {
	x, c, k := newOwner(), newChild(), newCaptured()
	x.child = c
	f := func(x *node) { sinkLeaf = k }
	runtime.SetFinalizer(x, f)
	fn := truth.FuncName(f)
	xa, ca, ka := truth.Addr(x), truth.Addr(c), truth.Addr(k)
	xb, xs := truth.Slot(xa, nodeSize, true)
	cb, cs := truth.Slot(ca, leafSize, false)
	kb, ks := truth.Slot(ka, leafSize, false)
	return []truth.Item{
		truth.Unreachable("finalized-object", xa, xb, xs, "main.newOwner"),
		truth.Finalizer("finalized-child", ca, cb, cs, "finalizer", fn, "main.newChild", 1),
		truth.Finalizer("finalizer-captured", ka, kb, ks, "finalizer", fn, "main.newCaptured", 2),
	}
}

func main() {
	dump, tf := truth.Args()
	// No collection may run but the ones asked for below: one would queue
	// the finalizers set here.
	debug.SetGCPercent(-1)
	runtime.GOMAXPROCS(2) // one cleanup goroutine at most (cleanup.go)
	blockFinalizers()
	blockCleanups()
	qa, qfn := queueOne()
	qb, qs := truth.Slot(qa, nodeSize, true)
	items := []truth.Item{
		truth.Finalizer("queued", qa, qb, qs, "queued finalizer", qfn, "main.newQueued", 1),
	}
	items = append(items, queueCleanup()...)
	runtime.GC() // queues that cleanup
	items = append(items, finalized()...)
	items = append(items, cleanupItems()...)
	truth.FinishWithoutGC("finalizer", dump, tf, items, truth.Facts{})
}
