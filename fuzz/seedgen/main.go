// seedgen writes a small, real Go heap dump: the seed corpus of the
// heap-dump fuzzer (scripts/fuzz.sh) and the input of tests/badinput.py.
//
//	seedgen DUMP
//
// It allocates a handful of objects of every shape the loader cares about
// (small pointerful, malloc-header sized, large, a map, a finalized object,
// a goroutine holding a pointer on its stack), samples every allocation
// (MemProfileRate = 1), writes the dump and prints one JSON line naming
// the addresses it holds, for tests that need an object known to be live.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
)

func init() { runtime.MemProfileRate = 1 }

type node struct {
	next *node
	val  int64
}

type big struct {
	ptrs [80]*node // 640 bytes, pointerful: a malloc header from Go 1.22
}

var (
	head    *node
	table   *big
	huge    []*node
	cache   map[string]*node
	blocker = make(chan struct{})
)

//go:noinline
func newNode(v int64, next *node) *node { return &node{next: next, val: v} }

//go:noinline
func holder(n *node, ready chan<- struct{}) {
	ready <- struct{}{}
	<-blocker
	runtime.KeepAlive(n)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: seedgen DUMP")
		os.Exit(2)
	}
	for i := int64(1); i <= 5; i++ {
		head = newNode(i, head)
	}
	table = &big{}
	for i := range table.ptrs[:8] {
		table.ptrs[i] = newNode(int64(100+i), nil)
	}
	huge = make([]*node, 5000) // 40 KB: its own span
	huge[0] = head
	cache = map[string]*node{"a": newNode(7, nil), "b": newNode(8, head)}
	fin := newNode(9, head)
	runtime.SetFinalizer(fin, func(*node) {})
	fin = nil
	ready := make(chan struct{})
	onStack := newNode(10, nil)
	go holder(onStack, ready)
	<-ready

	debug.SetGCPercent(-1)
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	out, _ := json.Marshal(map[string]string{
		"version": runtime.Version(),
		"head":    fmt.Sprintf("%p", head),
		"table":   fmt.Sprintf("%p", table),
		"huge":    fmt.Sprintf("%p", &huge[0]),
		"stack":   fmt.Sprintf("%p", onStack),
	})
	fmt.Println(string(out))
	runtime.KeepAlive(cache)
}
