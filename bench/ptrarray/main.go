// ptrarray holds one huge array and aborts so that the kernel writes a
// core: -kind ptr makes a []*Obj of -bytes bytes whose pointers lead to
// 1024 small objects (every word a pointer, few objects), -kind bytes a
// []byte of the same size (no pointer at all). bench/ptrarray.sh compares
// what retain costs on the two cores: the memory a pointer array needs
// must follow the edges it has, not its bytes.
//
// Prints the array's address, its length and the number of pointer words
// on stdout before aborting.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"syscall"
)

type Obj struct {
	ID   int
	Name string
}

var keep []*Obj
var keepBytes []byte

func main() {
	kind := flag.String("kind", "ptr", "ptr or bytes")
	size := flag.Int64("bytes", 2<<30, "bytes of the array")
	flag.Parse()
	switch *kind {
	case "ptr":
		objs := make([]*Obj, 1024)
		for i := range objs {
			objs[i] = &Obj{ID: i, Name: fmt.Sprint("obj", i)}
		}
		keep = make([]*Obj, *size/8)
		for i := range keep {
			keep[i] = objs[i%len(objs)]
		}
		fmt.Printf("array: %p\nlen: %d\npointers: %d\n", &keep[0], len(keep), len(keep))
	case "bytes":
		keepBytes = make([]byte, *size)
		for i := 0; i < len(keepBytes); i += 4096 {
			keepBytes[i] = 1 // touched, so the core holds every page
		}
		fmt.Printf("array: %p\nlen: %d\npointers: 0\n", &keepBytes[0], len(keepBytes))
	default:
		fmt.Fprintln(os.Stderr, "ptrarray: -kind must be ptr or bytes")
		os.Exit(2)
	}
	runtime.GC()
	os.Stdout.Sync()
	syscall.Kill(syscall.Getpid(), syscall.SIGABRT)
	select {}
}
