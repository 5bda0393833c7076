// pclntruth records what the Go runtime itself says about its own stacks,
// for tests/unit/test_pclntab.c to compare with src/gopclntab.
//
// Usage: pclntruth OUT.json
//
// From a few places — a plain call chain, a chain of two small functions
// the compiler inlines into a //go:noinline one, a closure, a method, and
// a function with pointer locals — it takes runtime.Callers (return pcs,
// one per logical frame: an inlined caller gets a "virtual" pc) and
// runtime.CallersFrames (the call's function, file, line and the physical
// function's entry), and writes them as JSON.  Each record is on its own
// line so the C test can read it without a JSON library:
//
//	{"stacks":[
//	{"stack":"inlined","pcs":[...],"frames":[
//	{"pc":...,"function":"...","file":"...","line":...,"entry":...},
//	...]},
//	...]}
//
// This is not a retention scenario (it does not use internal/truth).
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strings"
)

type frame struct {
	PC       uint64 `json:"pc"`
	Function string `json:"function"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Entry    uint64 `json:"entry"`
}

type stack struct {
	name   string
	pcs    []uintptr
	frames []frame
}

var stacks []stack

// record takes the stack of its caller, runtime.Callers included.
//
//go:noinline
func record(name string) {
	pcs := make([]uintptr, 128)
	n := runtime.Callers(0, pcs)
	pcs = pcs[:n]
	s := stack{name: name, pcs: pcs}
	fs := runtime.CallersFrames(pcs)
	for {
		f, more := fs.Next()
		s.frames = append(s.frames, frame{uint64(f.PC), f.Function, f.File, f.Line, uint64(f.Entry)})
		if !more {
			break
		}
	}
	stacks = append(stacks, s)
}

// ---- a plain chain ----

//go:noinline
func plainC(k int) int { record("plain"); return k + 1 }

//go:noinline
func plainB(k int) int { return plainC(k) * 2 }

//go:noinline
func plainA(k int) int { return plainB(k) + 3 }

// ---- inlined: inlLeaf and inlMid are small and not marked, so both are
// inlined into inlOuter (two inline levels) ----

func inlLeaf(k int) int {
	record("inlined")
	return k * 3
}

func inlMid(k int) int {
	return inlLeaf(k) + 1
}

//go:noinline
func inlOuter(k int) int {
	x := inlMid(k)
	return x - 1
}

// ---- a closure, called through a function value ----

//go:noinline
func apply(f func(int) int, k int) int { return f(k) }

// ---- a method ----

type counter struct{ n int }

//go:noinline
func (c *counter) bump() {
	c.n++
	record("method")
}

// ---- pointer locals live across a call: a locals pointer map ----

type node struct {
	next *node
	val  int
}

var sink *node

// a and b escape (through sink), so they are heap pointers that live in
// withPtrs's frame across the call to record.
//
//go:noinline
func withPtrs(k int) int {
	a := &node{val: k}
	b := &node{next: a, val: k + 1}
	record("ptrs")
	sink = b
	return a.val + b.next.val + b.val
}

func write(path string) error {
	var sb strings.Builder
	sb.WriteString("{\"stacks\":[\n")
	for i, s := range stacks {
		pcs, _ := json.Marshal(s.pcs)
		name, _ := json.Marshal(s.name)
		fmt.Fprintf(&sb, "{\"stack\":%s,\"pcs\":%s,\"frames\":[\n", name, pcs)
		for j, f := range s.frames {
			b, _ := json.Marshal(f)
			sb.Write(b)
			if j+1 < len(s.frames) {
				sb.WriteString(",")
			}
			sb.WriteString("\n")
		}
		sb.WriteString("]}")
		if i+1 < len(stacks) {
			sb.WriteString(",")
		}
		sb.WriteString("\n")
	}
	sb.WriteString("]}\n")
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: pclntruth OUT.json")
		os.Exit(2)
	}
	sum := plainA(1)
	sum += inlOuter(2)
	base := 10
	sum += apply(func(k int) int {
		record("closure")
		return k + base
	}, 3)
	c := &counter{}
	c.bump()
	sum += withPtrs(4)
	if err := write(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("sum", sum, c.n)
}
