// Program crosscheck: a varied heap, seen twice — as a heap dump and as the
// core of the same moment (tests/crosscheck.py compares what retain makes of
// both).
//
// The heap holds, all reachable from globals unless said otherwise:
//   - small pointerful objects of every size class up to 512 bytes (slices
//     of pointers, structs mixing pointers and scalars);
//   - noscan objects of every size class (byte slices), and tiny-allocator
//     objects (8-byte noscan values, packed together);
//   - pointerful objects of 513 bytes to 32 KiB: from Go 1.22 these carry an
//     8-byte malloc header;
//   - large objects (> 32 KiB) with and without pointers;
//   - arrays of pointers, maps (small and large, pointer and scalar values),
//     interfaces boxing values of several types, closures, a buffered
//     channel, strings, a 10,000-node linked list;
//   - some garbage: objects allocated after the last GC and dropped, so
//     unreachable in both views.
//
// Usage: crosscheck DUMP (with RETAIN_TEST_CORE=1 it then dies by SIGABRT;
// see tests/go/internal/truth: DumpThenCore).
package main

import (
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"strconv"

	"retaintest/internal/truth"
)

// Node is a linked-list node: 32 bytes, pointerful.
type Node struct {
	Next  *Node
	Prev  *Node
	ID    int64
	Label *string
}

// Mixed interleaves pointers and scalars so its pointer bitmap is not a
// prefix of ones.
type Mixed struct {
	A   *int
	Pad [5]int64
	B   *Node
	S   string
	F   float64
	M   map[int]int
}

// Big is a large pointerful struct: 48 KiB.
type Big struct {
	Ptrs  [2048]*Node
	Bytes [32 << 10]byte
	Tail  *Big
}

var (
	sizeClasses = []int{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160,
		176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576,
		640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688,
		3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
		9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
		24576, 27264, 28672, 32768}

	ptrSlices   [][]*Node      // pointer arrays of every size class and more
	noscan      [][]byte       // byte slices of every size class and more
	tiny        []*int64       // tiny-allocator objects
	mixed       [][]Mixed      // struct arrays with holes in the bitmap
	larges      [][]*Node      // large pointer arrays
	largeNoscan [][]byte       // large noscan objects
	bigs        *Big           // a chain of large structs
	ptrArray    *[64]*Node     // an array of pointers
	byID        map[int]*Node  // a large map with pointer values
	counts      map[string]int // a map with string keys, scalar values
	small       map[int][]byte // a small map
	boxed       []interface{}  // interfaces of several dynamic types
	funcs       []func() int   // closures
	ch          chan *Node     // a buffered channel holding pointers
	strs        []string       // strings
	head        *Node          // a doubly linked list
	labels      []*string      // shared labels
	rng         = rand.New(rand.NewSource(1))
	garbageSink int
)

//go:noinline
func newNode(id int) *Node {
	n := &Node{ID: int64(id)}
	if len(labels) > 0 {
		n.Label = labels[id%len(labels)]
	}
	return n
}

//go:noinline
func build() {
	for i := 0; i < 50; i++ {
		s := "label-" + strconv.Itoa(i)
		labels = append(labels, &s)
	}
	// A linked list of 10,000 nodes.
	head = newNode(0)
	tail := head
	for i := 1; i < 10000; i++ {
		n := newNode(i)
		n.Prev = tail
		tail.Next = n
		tail = n
	}
	// Pointer arrays of every size class (small, with malloc headers from
	// 513 bytes on Go 1.22+), several of each, pointing into the list.
	nd := head
	for _, c := range sizeClasses {
		for k := 0; k < 3; k++ {
			n := c / 8
			if c > 512 {
				n = (c - 8) / 8 // leave room for the malloc header
			}
			s := make([]*Node, n)
			for j := range s {
				if j%3 != 2 {
					s[j] = nd
					if nd.Next != nil {
						nd = nd.Next
					}
				}
			}
			ptrSlices = append(ptrSlices, s)
		}
	}
	// Random sizes in between.
	for i := 0; i < 300; i++ {
		s := make([]*Node, 1+rng.Intn(4000))
		for j := 0; j < len(s); j += 1 + rng.Intn(7) {
			s[j] = nd
			if nd.Next != nil {
				nd = nd.Next
			} else {
				nd = head
			}
		}
		ptrSlices = append(ptrSlices, s)
	}
	// Noscan objects of every size class, and random sizes.
	for _, c := range sizeClasses {
		for k := 0; k < 4; k++ {
			b := make([]byte, c)
			b[0] = byte(k)
			noscan = append(noscan, b)
		}
	}
	for i := 0; i < 500; i++ {
		noscan = append(noscan, make([]byte, 16+rng.Intn(20000)))
	}
	// Tiny objects.
	for i := 0; i < 2000; i++ {
		v := new(int64)
		*v = int64(i)
		tiny = append(tiny, v)
	}
	// Maps.
	byID = make(map[int]*Node)
	for i := 0; i < 3000; i++ {
		byID[i] = newNode(200000 + i)
	}
	counts = make(map[string]int)
	for i := 0; i < 1500; i++ {
		counts["key-"+strconv.Itoa(i)] = i
	}
	small = map[int][]byte{1: make([]byte, 40), 2: make([]byte, 700), 3: nil}
	// Mixed structs: single values and arrays (small and >512 bytes).
	for i := 0; i < 200; i++ {
		n := 1 + rng.Intn(60)
		m := make([]Mixed, n)
		for j := range m {
			x := i*100 + j
			m[j].A = &x
			m[j].B = byID[j]
			m[j].S = "mixed-" + strconv.Itoa(x)
			if j%5 == 0 {
				m[j].M = map[int]int{j: x}
			}
		}
		mixed = append(mixed, m)
	}
	// Large objects, with and without pointers.
	for i := 0; i < 20; i++ {
		s := make([]*Node, 4100+rng.Intn(30000))
		for j := 0; j < len(s); j += 97 {
			s[j] = nd
			if nd.Next != nil {
				nd = nd.Next
			} else {
				nd = head
			}
		}
		larges = append(larges, s)
		largeNoscan = append(largeNoscan, make([]byte, 33000+rng.Intn(3<<20)))
	}
	for i := 0; i < 5; i++ {
		b := &Big{Tail: bigs}
		for j := range b.Ptrs {
			if j%11 == 0 {
				b.Ptrs[j] = nd
			}
		}
		bigs = b
	}
	ptrArray = new([64]*Node)
	for j := range ptrArray {
		ptrArray[j] = newNode(100000 + j)
	}
	// Interfaces.
	for i := 0; i < 500; i++ {
		switch i % 6 {
		case 0:
			boxed = append(boxed, i*1000003) // boxed int (not a small-int constant)
		case 1:
			boxed = append(boxed, newNode(300000+i))
		case 2:
			boxed = append(boxed, fmt.Sprintf("boxed string %d", i))
		case 3:
			boxed = append(boxed, Mixed{F: float64(i), S: strconv.Itoa(i)})
		case 4:
			boxed = append(boxed, make([]byte, 10+i))
		case 5:
			boxed = append(boxed, [3]*Node{newNode(i), nil, head})
		}
	}
	// Closures capturing heap values.
	for i := 0; i < 100; i++ {
		n := newNode(400000 + i)
		buf := make([]byte, 64+i)
		funcs = append(funcs, func() int { return int(n.ID) + len(buf) })
	}
	ch = make(chan *Node, 128)
	for i := 0; i < 100; i++ {
		ch <- newNode(500000 + i)
	}
	for i := 0; i < 3000; i++ {
		strs = append(strs, "string number "+strconv.Itoa(i*7919))
	}
}

// garbage allocates objects of several kinds and drops them: allocated in
// both views, reachable in neither.
//
//go:noinline
func garbage() {
	sum := 0
	for i := 0; i < 200; i++ {
		n := &Node{ID: int64(i)}
		s := make([]*Node, 1+i%70)
		s[0] = n
		b := make([]byte, 100+i*37)
		sum += len(s) + len(b) + int(n.ID)
	}
	garbageSink = sum
}

// Every allocation is sampled, so both views name the site of every object.
func init() { runtime.MemProfileRate = 1 }

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintf(os.Stderr, "usage: %s DUMP\n", os.Args[0])
		os.Exit(2)
	}
	build()
	callC()
	truth.DumpThenCore(os.Args[1], garbage)
	// Keep everything used after the dump.
	if len(ptrSlices) == 0 || funcs[0]() == 0 || len(ch) != 100 {
		panic("crosscheck")
	}
}
