// Package heapprof writes a scenario's heap profile at the moment of its
// heap dump (apart from package truth, so that only the scenarios that
// want a profile link runtime/pprof).
package heapprof

import (
	"os"
	"runtime"
	"runtime/pprof"
)

// Write collects twice — a heap profile reports the heap as of the last
// completed collection — and writes the heap profile to path.
func Write(path string) {
	runtime.GC()
	runtime.GC()
	f, err := os.Create(path)
	if err != nil {
		panic(err)
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		panic(err)
	}
	if err := f.Close(); err != nil {
		panic(err)
	}
}
