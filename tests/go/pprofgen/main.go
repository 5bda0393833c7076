// Command pprofgen writes a small, real Go heap profile for retain's
// pprof reader tests: go run . OUT.pb.gz
//
// It samples every allocation (MemProfileRate = 1) so the profile is the
// same on every run, keeps what main.allocLeak allocated reachable, and
// runs a GC first because heap profiles only report up to the last one.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

// leaked holds the allocations so that they show as in-use.
var leaked [][]byte

//go:noinline
func allocLeak(n, size int) {
	for i := 0; i < n; i++ {
		leaked = append(leaked, make([]byte, size))
	}
}

func main() {
	runtime.MemProfileRate = 1
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pprofgen OUT.pb.gz")
		os.Exit(2)
	}
	allocLeak(1000, 4096)
	runtime.GC()
	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.KeepAlive(leaked)
}
