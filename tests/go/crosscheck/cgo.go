//go:build cgo

package main

/*
static int crosscheck_add(int a, int b) { return a + b; }
*/
import "C"

// callC calls a trivial C function, so a cgo build has a C runtime and
// cgo's threads in its core.
func callC() {
	if C.crosscheck_add(2, 3) != 5 {
		panic("cgo")
	}
}
