// Scenario iface: values held through an interface and through a closure.
//
//   - main.held (interface{}) holds a *T from main.newT; the eface's data
//     word points at T: path main.held → T, 1 hop.
//   - main.fn (func() int) is a closure capturing a *U from main.newU; the
//     closure object {code pointer, u} is on the heap: path main.fn →
//     closure → U, 2 hops.
//
// T is 32 bytes (noscan) and U 48 bytes (pointerful): exact size classes.
// Dominators: nothing but main.held dominates T; the closure object (16
// bytes: code pointer, u) is U's only dominator. Each retains only itself
// (U's Name points at a string constant, not into the heap).
package main

import (
	"runtime"
	"unsafe"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

// T is 32 bytes without pointers.
type T struct{ A, B, C, D int64 }

// U is 48 bytes with pointers.
type U struct {
	Name string
	Tags []string
	N    int64
}

var (
	held interface{}
	fn   func() int
)

//go:noinline
func newT() *T { return &T{A: 1, B: 2, C: 3, D: 4} }

//go:noinline
func newU() *U { return &U{Name: "captured", N: 7} }

//go:noinline
func setup() []truth.Item {
	t := newT()
	held = t
	u := newU()
	fn = func() int { return int(u.N) + len(u.Name) }

	ta := truth.Addr(t)
	tb, ts := truth.Slot(ta, 32, false)
	ua := truth.Addr(u)
	ub, us := truth.Slot(ua, 48, true)
	// A func value is a pointer to its closure object.
	ca := truth.Addr(*(*unsafe.Pointer)(unsafe.Pointer(&fn)))
	cb, _ := truth.Slot(ca, 16, true)
	return []truth.Item{
		truth.Global("T", ta, tb, ts, "main.held", "main.newT", 1).
			Retains(ts, 1).Dominated(0, 0, 0, "global main.held").HeldByInterface("main.T"),
		truth.Global("U", ua, ub, us, "main.fn", "main.newU", 2).
			Retains(us, 1).Dominated(1, cb, cb, "global main.fn"),
	}
}

func main() {
	dump, tf := truth.Args()
	truth.Finish("iface", dump, tf, setup())
	if fn() != 15 { // use fn after the dump so nothing optimizes it away
		panic("closure")
	}
}
