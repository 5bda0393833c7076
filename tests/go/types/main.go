// Scenario types: objects whose type only propagation can tell, each with
// the type a core must name and the field path of the last hop of `why`.
//
//   - main.cells: 3 slices of 32768 *Cell (Cell: a pointer-free pair):
//     exactly 98304 main.Cell and 3 [32768]*main.Cell.
//   - binary trees of a pointer-free pair (main.TNode), of any-typed nodes
//     (main.ANode, children behind interfaces) and of a generic node
//     (main.GNode[string]): exact counts per type.
//   - maps: a pointer map grown over many buckets (main.ptrMap), a small map
//     with struct values (main.structMap: the Blob behind a value's
//     Payload), a map stopped while growing on Go ≤1.23 (main.growMap).
//   - interfaces: a pointer (direct), a pointer-free and a pointerful value
//     (indirect), and a non-empty interface (itab).
//   - a closure capturing a buffer, a channel buffer of pointers, a string
//     and a substring, an embedded struct reached through a pointer to its
//     field (alone, and beside a pointer to the whole), an unsafe cast of a
//     struct to []byte, a plain struct field (main.holder.Payload).
package main

import (
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"unsafe"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

type Cell struct{ A, B int64 }

type Pair struct{ A, B int64 }

type TNode struct {
	L, R *TNode
	P    Pair
}

type ANode struct {
	L, R any
	V    int64
}

type GNode[T any] struct {
	L, R *GNode[T]
	V    T
}

type Small struct {
	ID   int64
	Name string
}

type Blob struct{ Data [40]byte }

type Session struct {
	ID      int64
	Payload *Blob
	Next    *Session
}

type Grow struct {
	N    int64
	Self *Grow
}

type Named struct {
	S string
	N int64
}

func (n *Named) String() string { return n.S }

type Inner struct {
	X, Y int64
	Z    *Pair
}

type Outer struct {
	Head int64
	Inner
	Tail *Pair
}

type Big struct {
	P   *Pair
	Pad [56]byte
}

const (
	nCells  = 32768
	tDepth  = 10 // 1023 nodes
	aDepth  = 9  // 511
	gDepth  = 8  // 255
	nPtrMap = 1000
	nGrow   = 53 // one past what 8 buckets hold: the map has just begun to grow
)

var (
	cells     [][]*Cell
	tree      *TNode
	atree     any
	gtree     *GNode[string]
	ptrMap    map[string]*Small
	structMap map[int]Session
	growMap   map[int]*Grow
	ifacePtr  any
	ifaceVal  any
	ifaceSess any
	stringer  fmt.Stringer
	clo       func() int
	ch        chan *Small
	str       string
	substr    string
	innerOnly *Inner
	innerPin  *Inner
	outerPin  *Outer
	aBytes    []byte
	bigPin    *Big
	holder    *Session
)

//go:noinline
func newCell(i int) *Cell { return &Cell{A: int64(i)} }

//go:noinline
func newCells() []*Cell {
	s := make([]*Cell, nCells)
	for i := range s {
		s[i] = newCell(i)
	}
	return s
}

//go:noinline
func newTNode(d int) *TNode {
	n := &TNode{P: Pair{int64(d), 1}}
	if d > 1 {
		n.L, n.R = newTNode(d-1), newTNode(d-1)
	}
	return n
}

//go:noinline
func newANode(d int) *ANode {
	n := &ANode{V: int64(d)}
	if d > 1 {
		n.L, n.R = newANode(d-1), newANode(d-1)
	}
	return n
}

//go:noinline
func newGNode(d int) *GNode[string] {
	n := &GNode[string]{V: "node"}
	if d > 1 {
		n.L, n.R = newGNode(d-1), newGNode(d-1)
	}
	return n
}

//go:noinline
func newSmall(i int) *Small { return &Small{ID: int64(i), Name: "small"} }

//go:noinline
func newBlob() *Blob { return &Blob{} }

//go:noinline
func newGrow(i int) *Grow { g := &Grow{N: int64(i)}; g.Self = g; return g }

//go:noinline
func newNamed() *Named { return &Named{S: "named", N: 1} }

//go:noinline
func newOuter() *Outer { return &Outer{Head: 1} }

//go:noinline
func newBig() *Big { return &Big{} }

//go:noinline
func newSession(b *Blob) *Session { return &Session{ID: 1, Payload: b} }

//go:noinline
func boxPair(i int) any { return Pair{int64(i), 4} }

//go:noinline
func boxSession(b *Blob) any { return Session{ID: 2, Payload: b} }

//go:noinline
func newBuf(n int) []byte { return make([]byte, n) }

//go:noinline
func newChan() chan *Small { return make(chan *Small, 16) }

//go:noinline
func makeString(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return string(b)
}

// dataOf is the data word of an interface value.
func dataOf(p *any) uint64 {
	return uint64(uintptr((*[2]unsafe.Pointer)(unsafe.Pointer(p))[1]))
}

func stringData(s *string) uint64 {
	return uint64((*reflect.StringHeader)(unsafe.Pointer(s)).Data)
}

// mapField is the field path of a map value's slot: a bucket's values
// (Go ≤1.23) or a swiss group's slot elem (1.24+).
func mapField(suffix string) string {
	if truth.GoMinor() >= 24 {
		return `(\[\d+\])?\.slots\[\d\]\.elem` + suffix
	}
	return `\[\d+\]\.values\[\d\]` + suffix
}

//go:noinline
func setup() ([]truth.Item, truth.Facts) {
	var items []truth.Item
	add := func(it truth.Item) { items = append(items, it) }

	cells = make([][]*Cell, 3)
	for i := range cells {
		cells[i] = newCells()
	}
	a := truth.Addr(cells[1][7])
	b, s := truth.Slot(a, 16, false)
	add(truth.Global("cell", a, b, s, "main.cells", "main.newCell", 3).Type("main.Cell").Via("[7]"))
	a = truth.Addr(cells[1])
	b, s = truth.Slot(a, nCells*8, true)
	add(truth.Global("cellarray", a, b, s, "main.cells", "main.newCells", 2).
		Type("[" + strconv.Itoa(nCells) + "]*main.Cell").Via("[1]"))

	tree = newTNode(tDepth)
	a = truth.Addr(tree.L.R)
	b, s = truth.Slot(a, 32, true)
	add(truth.Global("tnode", a, b, s, "main.tree", "main.newTNode", 3).Type("main.TNode").Via(".R"))

	atree = newANode(aDepth)
	left := atree.(*ANode).L.(*ANode)
	a = truth.Addr(left)
	b, s = truth.Slot(a, 40, true)
	add(truth.Global("anode", a, b, s, "main.atree", "main.newANode", 2).Type("main.ANode").Via(".L"))

	gtree = newGNode(gDepth)
	a = truth.Addr(gtree.R)
	b, s = truth.Slot(a, 32, true)
	add(truth.Global("gnode", a, b, s, "main.gtree", "main.newGNode", 2).Type("main.GNode[string]").Via(".R"))

	ptrMap = make(map[string]*Small)
	for i := 0; i < nPtrMap; i++ {
		ptrMap["k"+strconv.Itoa(i)] = newSmall(i)
	}
	a = truth.Addr(ptrMap["k500"])
	b, s = truth.Slot(a, 24, true)
	add(truth.Global("mapvalue", a, b, s, "main.ptrMap", "main.newSmall", truth.Range{Min: 3, Max: 5}).
		Type("main.Small").ViaRe(mapField("")))

	blob := newBlob()
	structMap = map[int]Session{1: {ID: 1, Payload: blob}, 2: {ID: 2}}
	a = truth.Addr(blob)
	b, s = truth.Slot(a, 40, false)
	add(truth.Global("mapstruct", a, b, s, "main.structMap", "main.newBlob", 3).
		Type("main.Blob").ViaRe(mapField(`\.Payload`)))

	growMap = make(map[int]*Grow)
	for i := 0; i < nGrow; i++ {
		growMap[i] = newGrow(i)
	}

	ifacePtr = newSmall(-1)
	a = truth.Addr(ifacePtr.(*Small))
	b, s = truth.Slot(a, 24, true)
	add(truth.Global("ifaceptr", a, b, s, "main.ifacePtr", "main.newSmall", 1).Type("main.Small"))
	ifaceVal = boxPair(3)
	a = dataOf(&ifaceVal)
	b, s = truth.Slot(a, 16, false)
	add(truth.Global("ifaceval", a, b, s, "main.ifaceVal", "main.boxPair", 1).Type("main.Pair"))
	ifaceSess = boxSession(newBlob())
	a = dataOf(&ifaceSess)
	b, s = truth.Slot(a, 24, true)
	add(truth.Global("ifacesess", a, b, s, "main.ifaceSess", "main.boxSession", 1).Type("main.Session"))
	stringer = newNamed()
	a = truth.Addr(stringer.(*Named))
	b, s = truth.Slot(a, 24, true)
	add(truth.Global("stringer", a, b, s, "main.stringer", "main.newNamed", 1).Type("main.Named"))

	buf := newBuf(3000)
	clo = func() int { return len(buf) + 1 }
	a = truth.Addr(*(*unsafe.Pointer)(unsafe.Pointer(&clo)))
	b, s = truth.Slot(a, 32, true)
	add(truth.Global("closure", a, b, s, "main.clo", "main.setup", 1).Type("closure " + truth.FuncName(clo)))

	ch = newChan()
	for i := 0; i < 3; i++ {
		ch <- newSmall(100 + i)
	}
	// the buffer is the word at hchan.buf; the second element is [1]
	hc := *(*unsafe.Pointer)(unsafe.Pointer(&ch))
	a = uint64(uintptr(*(*unsafe.Pointer)(unsafe.Add(hc, 16))))
	b, s = truth.Slot(a, 16*8, true)
	add(truth.Global("chanbuf", a, b, s, "main.ch", "main.newChan", 2).Type("[16]*main.Small").Via(".buf"))
	a = *(*uint64)(unsafe.Pointer(uintptr(a) + 8))
	b, s = truth.Slot(a, 24, true)
	add(truth.Global("chanelem", a, b, s, "main.ch", "main.newSmall", 3).Type("main.Small").Via("[1]"))

	str = makeString(100)
	a = stringData(&str)
	b, s = truth.Slot(a, 100, false)
	add(truth.Global("string", a, b, s, "main.str", "main.makeString", 1).Type("[100]uint8"))
	big := makeString(200)
	substr = big[50:60]
	a = stringData(&substr)
	b, s = truth.Slot(a-50, 200, false)
	add(truth.Global("substring", a, b, s, "main.substr", "main.makeString", 1).Type("[10]uint8"))

	innerOnly = &newOuter().Inner
	a = truth.Addr(innerOnly)
	b, s = truth.Slot(a-8, 40, true)
	add(truth.Global("inneronly", a, b, s, "main.innerOnly", "main.newOuter", 1).Type("main.Inner"))
	outerPin = newOuter()
	innerPin = &outerPin.Inner
	a = truth.Addr(outerPin)
	b, s = truth.Slot(a, 40, true)
	add(truth.Global("outer", a, b, s, "main.innerPin", "main.newOuter", 1).Type("main.Outer"))

	bigPin = newBig()
	aBytes = unsafe.Slice((*byte)(unsafe.Pointer(bigPin)), 64)
	a = truth.Addr(bigPin)
	b, s = truth.Slot(a, 64, true)
	add(truth.Global("unsafecast", a, b, s, "main.aBytes", "main.newBig", 1).Type("main.Big"))

	holder = newSession(newBlob())
	a = truth.Addr(holder.Payload)
	b, s = truth.Slot(a, 40, false)
	add(truth.Global("field", a, b, s, "main.holder", "main.newBlob", 2).Type("main.Blob").Via(".Payload"))

	// Bad input for the core: absurd counts where the propagation reads
	// them (a slice's cap, a channel's buffer length, a map's bucket
	// shift or directory length).
	mapHdr := uint64(uintptr(*(*unsafe.Pointer)(unsafe.Pointer(&ptrMap))))
	patches := []truth.Patch{
		{What: "main.cells cap", Address: truth.Hex(uint64(uintptr(unsafe.Pointer(&cells))) + 16), Value: 1 << 45},
		{What: "hchan.dataqsiz", Address: truth.Hex(uint64(uintptr(hc)) + 8), Value: 1 << 50},
	}
	if truth.GoMinor() >= 24 {
		patches = append(patches, truth.Patch{What: "map dirLen", Address: truth.Hex(mapHdr + 24), Value: 1 << 40})
	} else {
		// count, then flags/B/noverflow/hash0: B = 63
		patches = append(patches, truth.Patch{What: "hmap.B", Address: truth.Hex(mapHdr + 8), Value: 63 << 8})
	}
	facts := truth.Facts{Patches: patches, TypeCounts: map[string]int{
		"main.Cell": 3 * nCells,
		"[" + strconv.Itoa(nCells) + "]*main.Cell": 3,
		"main.TNode":         1<<tDepth - 1,
		"main.ANode":         1<<aDepth - 1,
		"main.GNode[string]": 1<<gDepth - 1,
		"main.Grow":          nGrow,
	}}
	return items, facts
}

func main() {
	dump, tf := truth.Args()
	items, facts := setup()
	truth.FinishFacts("types", dump, tf, items, facts)
	if clo() != 3001 || len(ch) != 3 { // use them after the dump
		panic("types")
	}
}
