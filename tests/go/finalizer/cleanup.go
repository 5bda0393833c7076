//go:build go1.24

// Cleanups (runtime.AddCleanup) exist from Go 1.24; see main.go.
package main

import (
	"runtime"
	"time"

	"retaintest/internal/truth"
)

var sinkArg *leaf

//go:noinline
func newCleanupOwner() *node { return new(node) }

//go:noinline
func newCleanupArg() *leaf { return new(leaf) }

//go:noinline
func newCleanupCaptured() *leaf { return new(leaf) }

// cleanupItems adds a cleanup to Y with argument A and a function that
// captures P; nothing else keeps Y, A or P.
//
//go:noinline
func cleanupItems() []truth.Item {
	y, a, p := newCleanupOwner(), newCleanupArg(), newCleanupCaptured()
	f := func(a *leaf) { sinkLeaf, sinkArg = p, a }
	runtime.AddCleanup(y, f, a)
	fn := truth.FuncName(f)
	ya, aa, pa := truth.Addr(y), truth.Addr(a), truth.Addr(p)
	yb, ys := truth.Slot(ya, nodeSize, true)
	ab, as := truth.Slot(aa, leafSize, false)
	pb, ps := truth.Slot(pa, leafSize, false)
	// 1.24's record holds a closure around the function and the argument,
	// one hop more than the record of 1.26+, which holds both itself. That
	// closure captures the argument by reference (AddCleanup takes its
	// address), through a cell of its own: one hop more again.
	var argLen, capLen interface{} = 2, 2
	switch m := truth.GoMinor(); {
	case m == 24:
		argLen, capLen = 3, 3
	case m == 25: // no toolchain here to tell
		argLen, capLen = truth.Range{Min: 2, Max: 3}, truth.Range{Min: 2, Max: 3}
	}
	return []truth.Item{
		truth.Unreachable("cleanup-object", ya, yb, ys, "main.newCleanupOwner"),
		truth.Cleanup("cleanup-arg", aa, ab, as, fn, "main.newCleanupArg", argLen),
		truth.Cleanup("cleanup-captured", pa, pb, ps, fn, "main.newCleanupCaptured", capLen),
	}
}

var cleanupStarted = make(chan struct{})

//go:noinline
func newCleanupBlocker() *node { return new(node) }

//go:noinline
func newQueuedCleanupOwner() *node { return new(node) }

//go:noinline
func newQueuedCleanupArg() *leaf { return new(leaf) }

//go:noinline
func newQueuedCleanupCaptured() *leaf { return new(leaf) }

// blockCleanups makes sure cleanups queued from now on stay queued. Go
// 1.24 runs them on the finalizer goroutine, which blockFinalizers has
// blocked already. From 1.26 they run on goroutines of their own, at most
// max(GOMAXPROCS/4, 1) of them, made only when AddCleanup is called: with
// GOMAXPROCS below 8 (main sets it) one, which a cleanup that never
// returns blocks.
func blockCleanups() {
	m := truth.GoMinor()
	if m <= 24 {
		return
	}
	queueCleanupBlocker()
	deadline := time.Now().Add(10 * time.Second)
	for {
		runtime.GC() // finds the owner unreachable and queues the cleanup
		select {
		case <-cleanupStarted:
			return
		case <-time.After(100 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			if m == 25 {
				return // no toolchain here to tell where 1.25 runs them
			}
			panic("finalizer: the blocking cleanup did not run")
		}
	}
}

//go:noinline
func queueCleanupBlocker() {
	runtime.AddCleanup(newCleanupBlocker(), func(int) {
		close(cleanupStarted)
		<-never
	}, 0)
}

// queueCleanup adds a cleanup with argument A2 and a function that
// captures R to a node nothing keeps; the caller's collection then queues
// it (and frees the node: a cleanup does not resurrect its object). The
// queued cleanup keeps A2 and R. Go 1.24 queues cleanups with the
// finalizers (a record with no object, which a heap dump writes as a
// queued finalizer without object); 1.26+ keep a queue of their own, which
// heap dumps do not record.
//
//go:noinline
func queueCleanup() []truth.Item {
	m := truth.GoMinor()
	if m == 25 {
		return nil // where its queue is: no toolchain here to tell
	}
	y, a, r := newQueuedCleanupOwner(), newQueuedCleanupArg(), newQueuedCleanupCaptured()
	f := func(a *leaf) { sinkLeaf, sinkArg = r, a }
	runtime.AddCleanup(y, f, a)
	fn := truth.FuncName(f)
	aa, ra := truth.Addr(a), truth.Addr(r)
	ab, as := truth.Slot(aa, leafSize, false)
	rb, rs := truth.Slot(ra, leafSize, false)
	pathLen := 2 // 1.26+: record → box → A2, record → function's closure → R
	if m == 24 {
		pathLen = 3 // record → AddCleanup's closure → argument cell / function's closure
	}
	items := []truth.Item{
		truth.Cleanup("queued-cleanup-arg", aa, ab, as, fn, "main.newQueuedCleanupArg", pathLen),
		truth.Cleanup("queued-cleanup-captured", ra, rb, rs, fn, "main.newQueuedCleanupCaptured", pathLen),
	}
	for i := range items {
		items[i].RootName = &queuedCleanup
		items[i].DumpUnreachable = m >= 26
	}
	return items
}

var queuedCleanup = "queued cleanup"
