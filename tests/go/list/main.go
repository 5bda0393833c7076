// Scenario list: a 50,000-node linked list, and a dead local that points at
// its tail.
//
// main.head → node 1 → node 2 → … → node 50,000: the shortest path to the
// last node is 50,000 hops (Node is 16 bytes, pointerful, an exact size class;
// every node comes from main.newNode).
//
// main.main builds the list with a local variable tail, which is live across
// calls (so it gets a stack slot) and dead by the time of the dump. Its slot
// in main.main's frame still holds the last node's address: a conservative
// stack scan would report a 1-hop path from main.main, the precise answer is
// the 50,000-hop chain from main.head. The truth item records that function
// as stale_stack_function (checked by tests/scenarios.py --self-check).
//
// Dominators: node k is dominated by nodes 1 … k−1, so the last node has
// 49,999 dominators, the nearest node 49,999 and the top one node 1, under
// the root global main.head; node 1 retains the whole list. `retain
// dominators` collapses the list into one chain below global main.head.
package main

import (
	"runtime"

	"retaintest/internal/truth"
)

func init() { runtime.MemProfileRate = 1 }

// Node is 16 bytes: one pointer, one integer.
type Node struct {
	next *Node
	id   int64
}

const nNodes = 50000

var head *Node

//go:noinline
func newNode(id int) *Node { return &Node{id: int64(id)} }

//go:noinline
func touch(n *Node) int64 { return n.id }

func main() {
	dump, tf := truth.Args()
	head = newNode(1)
	tail := head
	for i := 2; i <= nNodes; i++ {
		n := newNode(i)
		tail.next = n
		tail = n
	}
	// Keep tail live across one more call so it surely sits in a stack slot,
	// then never use it again: from here on the slot is dead but not cleared.
	sum := touch(tail)
	sum += tail.id
	finish(dump, tf, sum)
}

//go:noinline
func finish(dump, tf string, sum int64) {
	if sum != 2*nNodes {
		panic("list")
	}
	it := items()
	truth.FinishFacts("list", dump, tf, it, facts(it))
}

//go:noinline
func items() []truth.Item {
	first := head
	last := head
	for last.next != nil {
		last = last.next
	}
	fa := truth.Addr(first)
	fb, fs := truth.Slot(fa, 16, true)
	la := truth.Addr(last)
	lb, ls := truth.Slot(la, 16, true)
	prev := head
	for prev.next != last {
		prev = prev.next
	}
	pb, _ := truth.Slot(truth.Addr(prev), 16, true)
	tailItem := truth.Global("last", la, lb, ls, "main.head", "main.newNode", nNodes).
		Retains(ls, 1).Dominated(nNodes-1, pb, fb, "global main.head")
	tailItem.StaleStackFunction = "main.main"
	return []truth.Item{
		truth.Global("first", fa, fb, fs, "main.head", "main.newNode", 1).
			Retains(nNodes*fs, nNodes).Dominated(0, 0, 0, "global main.head"),
		tailItem,
	}
}

//go:noinline
func facts(items []truth.Item) truth.Facts {
	first, last := items[0], items[1]
	return truth.Facts{
		Retention: []truth.Retention{
			truth.RootRetains("variable", "main.head", nNodes*first.Size).AtLeastObjects(nNodes),
			truth.RootRetains("site", "main.newNode", nNodes*first.Size).AtLeastObjects(nNodes),
		},
		Chains: []truth.Chain{{Under: "global main.head", Start: first.Base, End: last.Base,
			MinHops: 49000}},
	}
}
