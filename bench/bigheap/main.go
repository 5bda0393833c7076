// Command bigheap builds a large, service-like Go heap (about 10 million live
// objects and 1.2 GB at -scale 1.0), stops the GC, prints what it expects a
// heap analyzer to find, and writes a heap dump with debug.WriteHeapDump.
//
// The heap holds: balanced binary trees, long singly linked lists, maps
// (map[int]*Record and map[string][]byte), byte buffers from a few bytes to
// several MB, sub-slices pointing into the middle of big buffers, slices of
// pointers, and 100 goroutines blocked on channel receives that keep some of
// that structure in their locals. Some garbage is allocated and dropped while
// building, so spans have free slots between live objects, as in a real
// service.
//
// stdout, one "key: value" per line. Before the dump (written without
// allocating, so the figures describe the dumped heap exactly):
//
//	query: 0x...            a list node deep in list 0, reachable only via that list
//	query_path_len: N       objects on the shortest path from the root variable
//	                        (global main.lists) to the query, both ends included:
//	                        lists' backing array, list nodes 0..k
//	                        (= hops from the root variable to the query)
//	heap_objects: N         runtime.MemStats.HeapObjects after runtime.GC(). The dump
//	                        of Go >= 1.22 has more object records than this: its
//	                        dumpobjs also writes the tail slots of small-object spans
//	                        that hold heap bits (1.26+: and inline mark bits).
//	heap_alloc_bytes: N     runtime.MemStats.HeapAlloc
//
// After the dump: timings, dump size, peak RSS, and so on.
//
// Flags: -scale, -rate (runtime.MemProfileRate), -dump PATH, -seed,
// -goroutines, -wait (after the dump print "ready" on stderr and block until
// stdin closes, e.g. so a script can gcore the process), -core (after the dump,
// and after -wait if given, abort with GOTRACEBACK=crash semantics and
// RLIMIT_CORE raised, so the kernel writes a core per core_pattern).
//
// Keep this buildable by Go 1.19: no min/max builtins, no range-over-int,
// no math/rand/v2.
package main

import (
	"flag"
	"fmt"
	"math/rand"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"
)

// TreeNode is a 32-byte node of a balanced binary search tree.
type TreeNode struct {
	Left, Right *TreeNode
	Key         int64
	Val         int64
}

// ListNode is a 48-byte singly linked list node with an optional payload.
type ListNode struct {
	Next    *ListNode
	Seq     int64
	Payload []byte
}

// Record is a 64-byte value held by the int-keyed maps.
type Record struct {
	ID   int64
	Name string
	Node *TreeNode
	Next *Record
	Blob []byte
}

// Everything below is reachable from these globals (or from goroutine
// locals), so all of it is live.
var (
	trees     []*TreeNode
	lists     []*ListNode
	recMaps   []map[int]*Record
	blobMap   map[string][]byte
	smallBufs [][][]byte // chunks of small buffers
	bigBufs   [][]byte
	views     [][]byte // sub-slices pointing into the middle of bigBufs
	treeRefs  [][]*TreeNode
	recRefs   [][]*Record
	workerChs []chan struct{}

	churnRing [1024][]byte // garbage: overwritten while building
)

var scale float64

// n scales a count taken at -scale 1.0, never below lo.
func n(base int, lo int) int {
	v := int(float64(base) * scale)
	if v < lo {
		v = lo
	}
	return v
}

var pattern []byte

func fill(b []byte) {
	for off := 0; off < len(b); {
		off += copy(b[off:], pattern)
	}
}

// churn allocates a short-lived object that replaces an older one.
func churn(r *rand.Rand, i int) {
	churnRing[i&1023] = make([]byte, 16+r.Intn(112))
}

//go:noinline
func buildTree(lo, hi int64, all *[]*TreeNode) *TreeNode {
	if lo > hi {
		return nil
	}
	mid := lo + (hi-lo)/2
	t := &TreeNode{Key: mid, Val: mid * 31}
	*all = append(*all, t)
	t.Left = buildTree(lo, mid-1, all)
	t.Right = buildTree(mid+1, hi, all)
	return t
}

//go:noinline
func buildList(r *rand.Rand, length int, seq0 int64) *ListNode {
	var head, tail *ListNode
	for i := 0; i < length; i++ {
		nd := &ListNode{Seq: seq0 + int64(i)}
		if i%4 == 3 {
			nd.Payload = make([]byte, 16+r.Intn(80))
			nd.Payload[0] = byte(i)
		}
		if i%3 == 0 {
			churn(r, i)
		}
		if tail == nil {
			head = nd
		} else {
			tail.Next = nd
		}
		tail = nd
	}
	return head
}

var domains = []string{"example.com", "mail.example.org", "corp.internal", "users.test"}

//go:noinline
func newRecord(r *rand.Rand, id int, allTree []*TreeNode) *Record {
	rec := &Record{ID: int64(id)}
	rec.Name = "user-" + strconv.Itoa(id) + "@" + domains[id%len(domains)]
	rec.Node = allTree[r.Intn(len(allTree))]
	if id%8 == 0 {
		rec.Blob = make([]byte, 32+r.Intn(168))
		fill(rec.Blob)
	}
	return rec
}

//go:noinline
func smallBufSize(r *rand.Rand) int {
	p := r.Intn(100)
	switch {
	case p < 70:
		return 8 + r.Intn(56)
	case p < 99:
		return 64 + r.Intn(448)
	default:
		return 512 + r.Intn(1536)
	}
}

func worker(id int, root *TreeNode, mid *ListNode, recs []*Record, privList int, privBuf int,
	ch <-chan struct{}, wg *sync.WaitGroup) {
	// Goroutine-private structure, live only through this frame.
	var head *ListNode
	for j := 0; j < privList; j++ {
		head = &ListNode{Next: head, Seq: int64(id)<<32 | int64(j)}
	}
	buf := make([]byte, privBuf)
	fill(buf)
	byID := make(map[int]*Record, 16)
	for k := 0; k < 16 && k < len(recs); k++ {
		byID[int(recs[k].ID)] = recs[k]
	}
	wg.Done()
	<-ch
	runtime.KeepAlive(root)
	runtime.KeepAlive(mid)
	runtime.KeepAlive(recs)
	runtime.KeepAlive(head)
	runtime.KeepAlive(buf)
	runtime.KeepAlive(byID)
}

func vmHWMkB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, ln := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(ln, "VmHWM:") {
			f := strings.Fields(ln)
			if len(f) >= 2 {
				v, _ := strconv.ParseInt(f[1], 10, 64)
				return v
			}
		}
	}
	return -1
}

func appendKV(b []byte, k string, v uint64, hex bool) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	if hex {
		b = append(b, "0x"...)
		b = strconv.AppendUint(b, v, 16)
	} else {
		b = strconv.AppendUint(b, v, 10)
	}
	return append(b, '\n')
}

func main() {
	rate := flag.Int("rate", 512*1024, "runtime.MemProfileRate (Go's default is 512 KiB)")
	flag.Float64Var(&scale, "scale", 1.0, "heap size factor: 1.0 = ~10M objects, ~1.2 GB")
	dumpPath := flag.String("dump", "heap.dump", "where to write the heap dump")
	seed := flag.Int64("seed", 1, "random seed (the heap shape is deterministic for a seed)")
	nWorkers := flag.Int("goroutines", 100, "blocked goroutines holding structure in locals")
	wait := flag.Bool("wait", false, "after the dump, print \"ready\" on stderr and block until stdin closes")
	core := flag.Bool("core", false, "at the end, abort with GOTRACEBACK=crash so the kernel writes a core")
	flag.Parse()
	runtime.MemProfileRate = *rate
	if scale <= 0 {
		fmt.Fprintln(os.Stderr, "bigheap: -scale must be > 0")
		os.Exit(2)
	}
	if *core {
		debug.SetTraceback("crash")
		lim := syscall.Rlimit{Cur: ^uint64(0), Max: ^uint64(0)}
		if err := syscall.Setrlimit(syscall.RLIMIT_CORE, &lim); err != nil {
			fmt.Fprintln(os.Stderr, "bigheap: raising RLIMIT_CORE:", err)
		}
	}
	start := time.Now()
	r := rand.New(rand.NewSource(*seed))
	pattern = make([]byte, 4096)
	r.Read(pattern)

	// Binary trees: 2.6M nodes in 12 trees.
	const nTrees = 12
	treeNodes := n(2_600_000, nTrees)
	allTree := make([]*TreeNode, 0, treeNodes) // temporary index, dropped later
	trees = make([]*TreeNode, nTrees)
	for i := range trees {
		cnt := int64(treeNodes / nTrees)
		base := int64(i) << 40
		trees[i] = buildTree(base, base+cnt-1, &allTree)
	}

	// Long linked lists: 2.0M nodes in 20 lists, every 4th with a payload.
	const nLists = 20
	listLen := n(2_000_000, 2*nLists) / nLists
	lists = make([]*ListNode, nLists)
	for i := range lists {
		lists[i] = buildList(r, listLen, int64(i)<<32)
	}

	// map[int]*Record: 1M records in 8 maps, grown without a size hint.
	const nRecMaps = 8
	nRecs := n(1_000_000, 64*nRecMaps)
	allRecs := make([]*Record, nRecs) // goroutines keep sub-slices of it
	recMaps = make([]map[int]*Record, nRecMaps)
	for i := range recMaps {
		recMaps[i] = make(map[int]*Record)
	}
	for i := 0; i < nRecs; i++ {
		rec := newRecord(r, i, allTree)
		allRecs[i] = rec
		recMaps[i%nRecMaps][i] = rec
		if i%16 != 0 {
			rec.Next = allRecs[i-1]
		}
	}

	// map[string][]byte: 500k session blobs.
	nBlobs := n(500_000, 16)
	blobMap = make(map[string][]byte)
	for i := 0; i < nBlobs; i++ {
		k := "sess:" + strconv.FormatInt(int64(i), 36) + ":" + strconv.FormatInt(r.Int63(), 36)
		v := make([]byte, 32+r.Intn(384))
		fill(v)
		blobMap[k] = v
	}

	// Small byte buffers: 1.4M, mostly tiny, in chunks of 4096.
	nSmall := n(1_400_000, 4096)
	for done := 0; done < nSmall; {
		c := 4096
		if nSmall-done < c {
			c = nSmall - done
		}
		chunk := make([][]byte, c)
		for j := range chunk {
			chunk[j] = make([]byte, smallBufSize(r))
			chunk[j][0] = byte(j)
			if j%2 == 0 {
				churn(r, done+j)
			}
		}
		smallBufs = append(smallBufs, chunk)
		done += c
	}

	// Big byte buffers: 160 of 1-3.5 MB, touched, plus views into them.
	nBig := n(160, 2)
	bigBufs = make([][]byte, nBig)
	for i := range bigBufs {
		bigBufs[i] = make([]byte, 1<<20+r.Intn(5<<19))
		fill(bigBufs[i])
	}
	views = make([][]byte, n(10_000, 16))
	for i := range views {
		b := bigBufs[r.Intn(nBig)]
		off := 1 + r.Intn(len(b)-1024)
		views[i] = b[off : off+1+r.Intn(1000)]
	}

	// Slices of pointers: many short []*TreeNode, a few large []*Record.
	treeRefs = make([][]*TreeNode, n(20_000, 16))
	for i := range treeRefs {
		s := make([]*TreeNode, 16+r.Intn(240))
		for j := range s {
			s[j] = allTree[r.Intn(len(allTree))]
		}
		treeRefs[i] = s
	}
	recRefs = make([][]*Record, n(50, 2))
	recRefLen := n(65536, 64)
	for i := range recRefs {
		s := make([]*Record, recRefLen)
		for j := range s {
			s[j] = allRecs[r.Intn(nRecs)]
		}
		recRefs[i] = s
	}

	// Goroutines blocked on channels, holding structure in locals.
	var wg sync.WaitGroup
	workerChs = make([]chan struct{}, *nWorkers)
	privList := n(5000, 10)
	privBuf := n(128<<10, 1024)
	for i := range workerChs {
		workerChs[i] = make(chan struct{})
		mid := lists[1+i%(nLists-1)]
		for k := (i * 997) % listLen; k > 0; k-- {
			mid = mid.Next
		}
		lo := (i * 64) % (nRecs - 64)
		wg.Add(1)
		go worker(i, trees[i%nTrees], mid, allRecs[lo:lo+64], privList, privBuf, workerChs[i], &wg)
	}
	wg.Wait()

	// The query: a node deep in list 0, which nothing else points into.
	qIdx := listLen / 2
	q := lists[0]
	for k := 0; k < qIdx; k++ {
		q = q.Next
	}
	query := uintptr(unsafe.Pointer(q))

	allTree = nil
	allRecs = nil
	for i := range churnRing {
		churnRing[i] = nil
	}
	time.Sleep(100 * time.Millisecond) // let the workers park in chanrecv

	// Everything the rest needs is allocated before the GC, so that the
	// figures printed before the dump describe exactly the dumped heap.
	f, err := os.Create(*dumpPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bigheap:", err)
		os.Exit(1)
	}
	fd := f.Fd()
	out := make([]byte, 0, 1024)
	ready := []byte("ready\n")
	inbuf := make([]byte, 512)
	var ms runtime.MemStats
	buildDone := time.Now()

	debug.SetGCPercent(-1)
	runtime.GC()
	gcDone := time.Now()
	runtime.ReadMemStats(&ms)
	out = appendKV(out, "query", uint64(query), true)
	out = appendKV(out, "query_path_len", uint64(qIdx+2), false)
	out = appendKV(out, "heap_objects", ms.HeapObjects, false)
	out = appendKV(out, "heap_alloc_bytes", ms.HeapAlloc, false)
	os.Stdout.Write(out)

	debug.WriteHeapDump(fd)
	dumpDone := time.Now()

	if *wait {
		os.Stderr.Write(ready)
		for {
			if _, err := os.Stdin.Read(inbuf); err != nil {
				break
			}
		}
	}
	if *core {
		syscall.Kill(syscall.Getpid(), syscall.SIGABRT)
		for {
			ts := syscall.Timespec{Sec: 1}
			syscall.Nanosleep(&ts, nil)
		}
	}

	st, _ := f.Stat()
	f.Close()
	var dumpSize int64 = -1
	if st != nil {
		dumpSize = st.Size()
	}
	fmt.Printf("heap_inuse_bytes: %d\n", ms.HeapInuse)
	fmt.Printf("heap_sys_bytes: %d\n", ms.HeapSys)
	fmt.Printf("num_gc: %d\n", ms.NumGC)
	fmt.Printf("goroutines: %d\n", runtime.NumGoroutine())
	fmt.Printf("mem_profile_rate: %d\n", runtime.MemProfileRate)
	fmt.Printf("scale: %g\n", scale)
	fmt.Printf("dump: %s\n", *dumpPath)
	fmt.Printf("dump_bytes: %d\n", dumpSize)
	fmt.Printf("build_seconds: %.2f\n", buildDone.Sub(start).Seconds())
	fmt.Printf("gc_seconds: %.2f\n", gcDone.Sub(buildDone).Seconds())
	fmt.Printf("dump_seconds: %.2f\n", dumpDone.Sub(gcDone).Seconds())
	fmt.Printf("peak_rss_kb: %d\n", vmHWMkB())
	fmt.Printf("go_version: %s\n", runtime.Version())
}
