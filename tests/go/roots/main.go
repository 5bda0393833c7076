// Scenario roots: memory the runtime holds for a goroutine, globals of
// generic types, and a registry that must not win a path.
//
// Deferred calls: main.deferLoop defers a closure in a loop, each holding
// a buffer from main.newDeferBuf, then blocks. Each buffer's root is the
// goroutine's deferred call, attributed to main.deferLoop (variable
// "(deferred call)"): root → closure → buffer, 2 hops (a toolchain that
// wraps the closure adds one). Not through the runtime.g object.
//
// Panics: main.panicker panics with a *panicVal from main.newPanicVal and
// its deferred function blocks before recovering. The value's root is the
// goroutine's panic, attributed to the function that panicked
// (variable "(panic)"), 1 hop.
//
// Generic globals: main.genv (a Pair[string,*Blob] value) and main.genp
// (a *Pair[int,*Blob]) each hold a Blob from main.newBlob: 1 and 2 hops
// from a root named by the variable, not "bss+0x…". main.geni is
// initialized at package level with &Pair{…}: the linker puts that Pair in
// the data segment under no symbol; its Blob is 1 hop from the root
// "*main.geni" (the value main.geni points to), not from "data+0x…".
//
// Registries: main.registry holds a 1 MiB array through a chain of four
// links in its local head (5 hops), and a sync.Pool whose New closure
// captures the array is registered in sync.allPools by a Get (4 hops from
// that global). sync.allPools is a registry: it takes part only where no
// program root reaches, so the path comes from the goroutine and the
// goroutine retains the array.
//
// Shared ownership: main.sharedMap and the m parameter of two goroutines
// running main.sharer hold one map of four 16 KiB buffers. None retains
// it alone; `retain shared` shows one group of exactly these three roots
// holding at least the buffers, and each reaches them (`roots`
// reachable_bytes). Under --min-bytes 20000 the dominator tree hides the
// four buffers below the map's bucket array as one line, "4 × [16384]uint8,
// 16 KiB each".
//
// Unnamed slots: main.unnamed passes newTemp()'s result to keep() after
// calling block(), so the compiler keeps it across that call in a
// temporary of the frame that no variable names. Its root is that word,
// named by its place in the frame ("frame+0x…"), 1 hop.
//
// Aliases: main.aliased copies one pointer into two variables, ref and
// otherRef; the compiler keeps the one value in one slot, which both
// variables' DWARF locations name: the root is "ref, otherRef", 1 hop.
//
// Reading memory: `retain read` on main.genv marks its string pointer and
// its val as pointers (the runtime's mask of the globals), its length as
// not, names the variable and the Blob val points at; on the function
// value main.hookFn points at, its first word is the code of main.hook.
//
// The GC stays off from the start: a collection empties the pool
// registries.
package main

import (
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
	"unsafe"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

var never = make(chan struct{})

type report struct {
	goid  int64
	addrs []uint64
}

// Deferred calls.

const nDefers = 3

//go:noinline
func newDeferBuf(i int) []byte { return make([]byte, 4096+1024*i) }

//go:noinline
func consume(b []byte) {
	if len(b) == 1 {
		println(b[0])
	}
}

func deferLoop(ready chan<- report) {
	var addrs []uint64
	for i := 0; i < nDefers; i++ {
		buf := newDeferBuf(i)
		addrs = append(addrs, truth.Addr(buf))
		defer func() { consume(buf) }()
	}
	ready <- report{truth.GoroutineID(), addrs}
	<-never
}

// Panics.

type panicVal struct {
	msg  string
	data []byte
}

//go:noinline
func newPanicVal() *panicVal { return &panicVal{msg: "stuck", data: make([]byte, 100)} }

func panicker(ready chan<- report) {
	defer func() {
		<-never
		recover()
	}()
	v := newPanicVal()
	ready <- report{truth.GoroutineID(), []uint64{truth.Addr(v)}}
	panic(v)
}

// Generic globals.

type Blob struct {
	id   int
	data [200]byte
}

//go:noinline
func newBlob(id int) *Blob { return &Blob{id: id} }

type Pair[K comparable, V any] struct {
	key K
	val V
}

var genv Pair[string, *Blob]
var genp *Pair[int, *Blob]
var geni = &Pair[string, *Blob]{key: "i"}

// Unnamed slots.

const tempSize = 3000

var lastTemp uint64 // the address newTemp returned (not a pointer)

//go:noinline
func newTemp() *[tempSize]byte {
	p := new([tempSize]byte)
	lastTemp = truth.Addr(p)
	return p
}

//go:noinline
func keep(p *[tempSize]byte, n int) {
	if n > 1 {
		println(p[0])
	}
}

//go:noinline
func block(ready chan<- report) int {
	ready <- report{truth.GoroutineID(), []uint64{lastTemp}}
	<-never
	return 1
}

func unnamed(ready chan<- report) { keep(newTemp(), block(ready)) }

// Aliases.

type aliasedVal struct{ data [500]byte }

//go:noinline
func newAliased() *aliasedVal { return new(aliasedVal) }

//go:noinline
func useBoth(a, b *aliasedVal) {
	if a.data[0] != b.data[1] {
		println("differ")
	}
}

func aliased(ready chan<- report) {
	ref := newAliased()
	otherRef := ref
	ready <- report{truth.GoroutineID(), []uint64{truth.Addr(ref)}}
	<-never
	useBoth(ref, otherRef)
}

// Reading memory.

//go:noinline
func hook() { println("hook") }

var hookFn = hook

// Registries.

const bigSize = 1 << 20

type link struct {
	next *link
	big  *[bigSize]byte
}

//go:noinline
func newBig() *[bigSize]byte { return new([bigSize]byte) }

// newLink puts each link on the heap (links on the stack would be a stack
// object, which a heap dump does not record).
//
//go:noinline
func newLink(next *link, big *[bigSize]byte) *link { return &link{next: next, big: big} }

func registry(ready chan<- report) {
	big := newBig()
	head := newLink(newLink(newLink(newLink(nil, big), nil), nil), nil)
	pool := &sync.Pool{New: func() any { return big }}
	_ = pool.Get() // registers the pool in sync.allPools
	ready <- report{truth.GoroutineID(), []uint64{truth.Addr(big)}}
	<-never
	runtime.KeepAlive(head)
}

// Shared ownership.

const sharedBuf = 16 << 10

var sharedMap map[int][]byte

//go:noinline
func newSharedMap() map[int][]byte {
	m := make(map[int][]byte)
	for i := 0; i < 4; i++ {
		m[i] = make([]byte, sharedBuf)
	}
	return m
}

// sharer takes the map from a channel: an argument of the go statement
// would stay in the wrapper's frame (main.setup.gowrapN) too.
func sharer(maps <-chan map[int][]byte, ready chan<- report) {
	m := <-maps
	ready <- report{truth.GoroutineID(), nil}
	<-never
	runtime.KeepAlive(m)
}

//go:noinline
func setup() ([]truth.Item, []truth.Retention, []truth.SharedGroup) {
	var items []truth.Item
	var ret []truth.Retention
	ready := make(chan report)

	go deferLoop(ready)
	r := <-ready
	for i, a := range r.addrs {
		size := uint64(4096 + 1024*i)
		base, slot := truth.Slot(a, size, false)
		items = append(items, truth.Stack("defer-buf-"+string(rune('0'+i)), a, base, slot,
			"main.deferLoop", r.goid, "main.newDeferBuf", truth.Range{Min: 2, Max: 3}).
			Var("(deferred call)"))
	}

	go panicker(ready)
	r = <-ready
	base, slot := truth.Slot(r.addrs[0], 40, true)
	items = append(items, truth.Stack("panic-value", r.addrs[0], base, slot,
		"main.panicker", r.goid, "main.newPanicVal", 1).Var("(panic)").Type("main.panicVal"))

	genv = Pair[string, *Blob]{key: "v", val: newBlob(1)}
	genp = &Pair[int, *Blob]{key: 2, val: newBlob(2)}
	geni.val = newBlob(3)
	for _, g := range []struct {
		name string
		b    *Blob
		hops int
	}{{"main.genv", genv.val, 1}, {"main.genp", genp.val, 2}, {"*main.geni", geni.val, 1}} {
		a := truth.Addr(g.b)
		base, slot := truth.Slot(a, 208, false)
		items = append(items, truth.Global("generic-"+strings.TrimPrefix(g.name, "*main."), a, base, slot, g.name,
			"main.newBlob", g.hops).Type("main.Blob").Via(".val"))
	}

	go registry(ready)
	r = <-ready
	base, slot = truth.Slot(r.addrs[0], bigSize, false)
	items = append(items, truth.Stack("pooled-big", r.addrs[0], base, slot,
		"main.registry", r.goid, "main.newBig", 5).Var("head"))
	ret = append(ret, truth.GoroutineRetains(r.goid, "main.registry", bigSize))

	go unnamed(ready)
	r = <-ready
	base, slot = truth.Slot(r.addrs[0], tempSize, false)
	items = append(items, truth.Stack("unnamed-temp", r.addrs[0], base, slot,
		"main.unnamed", r.goid, "main.newTemp", 1).VarRe(`frame\+0x[0-9a-f]+`))

	go aliased(ready)
	r = <-ready
	base, slot = truth.Slot(r.addrs[0], 500, false)
	items = append(items, truth.Stack("aliased", r.addrs[0], base, slot,
		"main.aliased", r.goid, "main.newAliased", 1).Var("ref, otherRef"))

	sharedMap = newSharedMap()
	group := truth.SharedGroup{Roots: []truth.RootID{{Kind: "global", Name: "main.sharedMap"}},
		MinBytes: 4 * sharedBuf}
	maps := make(chan map[int][]byte)
	for i := 0; i < 2; i++ {
		go sharer(maps, ready)
		maps <- sharedMap
		r = <-ready
		group.Roots = append(group.Roots, truth.RootID{Kind: "stack", Goroutine: r.goid,
			Function: "main.sharer", Variable: "m"})
	}
	ret = append(ret, truth.RootRetainsLess("variable", "main.sharedMap", sharedBuf).Reaches(4*sharedBuf))
	return items, ret, []truth.SharedGroup{group}
}

func main() {
	debug.SetGCPercent(-1)
	dump, tf := truth.Args()
	items, ret, shared := setup()
	deadline := time.Now().Add(10 * time.Second)
	for parked() < 7 {
		if time.Now().After(deadline) {
			panic("goroutines did not block")
		}
		runtime.Gosched()
	}
	hidden := []truth.HiddenGroup{{Label: "[16384]uint8", Count: 4, SizeEach: sharedBuf, MinBytes: 20000}}
	yes, no := true, false
	reads := []truth.Read{
		{Address: truth.Hex(uint64(uintptr(unsafe.Pointer(&genv)))), Length: 24, Words: []truth.ReadWord{
			{Index: 0, Pointer: &yes, Variable: "main.genv"},
			{Index: 1, Pointer: &no, Variable: "main.genv"},
			{Index: 2, Pointer: &yes, Variable: "main.genv", Object: "generic-main.genv"}}},
		{Address: truth.Hex(uint64(*(*uintptr)(unsafe.Pointer(&hookFn)))), Length: 8, Words: []truth.ReadWord{
			{Index: 0, Function: "main.hook"}}},
	}
	truth.FinishWithoutGC("roots", dump, tf, items, truth.Facts{Retention: ret, Shared: shared,
		Hidden: hidden, Reads: reads})
}

// parked counts goroutines blocked receiving from never.
func parked() int {
	buf := make([]byte, 1<<16)
	s := string(buf[:runtime.Stack(buf, true)])
	return strings.Count(s, "[chan receive")
}
