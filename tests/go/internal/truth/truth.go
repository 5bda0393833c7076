// Package truth lets a scenario program record what it knows about its own
// heap — where a watched object sits, which root holds it, which function
// allocated it, how long the shortest root path is — and then write a heap
// dump of the same moment. tests/scenarios.py compares `retain why` answers on
// the dump with this record.
//
// Truth file (JSON, one per run):
//
//	{"scenario": "growslice", "go_version": "go1.22.12", "goarch": "amd64",
//	 "memprofile_rate": 1,
//	 "items": [{
//	   "name": "block0",            // unique within the file
//	   "address": "0x...",          // the pointer the program holds (may be interior)
//	   "base": "0x...",             // slot start (address-8 behind a malloc header)
//	   "size": 4096,                // slot size: size class, or pages·8192 if large
//	   "root_kind": "global",       // or "stack", "finalizer", "cleanup"; absent if unreachable
//	   "root_name": "main.blocks",  // globals: symbol name; stacks: null;
//	                                // "finalizer", "queued finalizer", "cleanup"
//	   "root_function": null,       // stacks: function of the frame, e.g. "main.holder";
//	                                // finalizers, cleanups: their function (cores only)
//	   "goroutine": null,           // stacks: goroutine id
//	   "alloc_function": "main.newBlock",  // "" when the object may not be sampled (rate > 1)
//	   "path_length": 2,            // or {"min": 3, "max": 5}
//	   "stale_stack_function": "main.main", // optional, see Item
//	   "retained_bytes": 4096,      // optional: exact retained size (dominator tree)
//	   "retained_objects": 1,       // optional: exact count of retained objects
//	   "dominators": 1,             // optional: how many objects dominate it
//	   "nearest_dominator": "0x...", // optional: base of the immediate dominator
//	   "top_dominator": "0x...",    // optional: base of the one nearest the roots
//	   "dominated_by": "global main.blocks", // optional: root/group node above
//	   "all_roots": ["main.a", "main.b"],    // optional: `why --all N` roots, in order
//	   "type": "main.Node",         // optional: the object's type (cores, and dumps with
//	                                // their executable); "[n]T" for arrays and slice backing
//	   "field": ".Next",            // optional: field path of the last hop's pointer
//	   "field_re": "...",           //   (or a pattern for it)
//	   "reachable": false,          // optional: no root reaches it (path_length null)
//	   "dump_unreachable": true     // optional: reachable, but not in a heap dump (cleanups)
//	 }],
//	 "retention": [{               // optional: what roots, groups, sites retain
//	   "by": "variable",           // variable | goroutine | group | site
//	   "name": "main.blocks",      // global / group / site name; null for goroutines
//	   "goroutine": null, "function": null,  // by goroutine: id, top user frame
//	   "min_bytes": 4123264,       // retained_bytes >= min_bytes (optional)
//	   "below_bytes": null,        // retained_bytes < below_bytes (optional)
//	   "min_objects": 1001         // retained_objects >= min_objects (optional)
//	 }],
//	 "chains": [{                  // optional: collapsed chains in `dominators`
//	   "under": "global main.head", "start": "0x...", "end": "0x...",
//	   "min_hops": 49000
//	 }]}
//
// Addresses come from fmt's %p, which means the same thing in every Go
// version. Only the standard library is used, and nothing newer than Go 1.19.
package truth

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"
)

// Item is one watched object. Pointer fields are JSON null when unset.
type Item struct {
	Name          string  `json:"name"`
	Address       string  `json:"address"`
	Base          string  `json:"base"`
	Size          uint64  `json:"size"`
	RootKind      string  `json:"root_kind,omitempty"` // "" when unreachable
	RootName      *string `json:"root_name"`
	RootFunction  *string `json:"root_function"`
	Goroutine     *int64  `json:"goroutine"`
	AllocFunction string  `json:"alloc_function"`
	// RootVariable names the local variable of a stack root (cores name
	// stack roots from DWARF; heap dumps cannot).
	RootVariable string `json:"root_variable,omitempty"`
	// RootVariableRe is a pattern for it where the name is not known in
	// advance (a frame word no variable covers: "frame\\+0x[0-9a-f]+").
	RootVariableRe string `json:"root_variable_re,omitempty"`
	// CoreType is the type a core (or a dump given its executable) must
	// report for the object: "T", "[n]T"
	// for an array or a slice's backing array (n its length or cap),
	// "[n]uint8" for a string's bytes.
	CoreType string `json:"type,omitempty"`
	// Field is the field path of the pointer on the last hop of `why`
	// (".Payload", "[7]"); FieldRe a pattern for it where Go versions
	// differ (map internals).
	Field      string      `json:"field,omitempty"`
	FieldRe    string      `json:"field_re,omitempty"`
	PathLength interface{} `json:"path_length"`
	// StaleStackFunction, when set, names a function whose frame keeps the
	// address in a dead slot (a trap for conservative stack scanning).
	StaleStackFunction string `json:"stale_stack_function,omitempty"`
	// Dominator-tree facts, each optional (set with Retains / Dominated).
	RetainedBytes   *uint64 `json:"retained_bytes,omitempty"`
	RetainedObjects *uint64 `json:"retained_objects,omitempty"`
	// Dominators counts the objects (not roots or groups) that dominate
	// this one; NearestDominator is the base of its immediate dominator,
	// TopDominator the base of the one nearest the roots.
	Dominators       *int   `json:"dominators,omitempty"`
	NearestDominator string `json:"nearest_dominator,omitempty"`
	TopDominator     string `json:"top_dominator,omitempty"`
	// DominatedBy is the label of the root or group node directly above the
	// top dominator (or above the object itself when nothing dominates it):
	// "global NAME" for a global variable, "globals" for the group.
	DominatedBy string `json:"dominated_by,omitempty"`
	// AllRoots names the roots `why --all len(AllRoots)` must show, in order
	// (every one a shortest path from a different root).
	AllRoots []string `json:"all_roots,omitempty"`
	// Reachable, when false, says no root reaches the object (e.g. an
	// object whose finalizer is set but not queued: the finalizer keeps
	// what the object points to, not the object); root_kind and
	// path_length are then empty. Unset means reachable.
	Reachable *bool `json:"reachable,omitempty"`
	// DumpUnreachable says the object is reachable in the process (and in
	// its core) but not in a heap dump, which records no cleanups: `why`
	// on the dump must answer unreachable.
	DumpUnreachable bool `json:"dump_unreachable,omitempty"`
	// IfaceTyped says an interface value holds the object, which states
	// its type (CoreType) even to a reader without DWARF.
	IfaceTyped bool `json:"iface_typed,omitempty"`
}

// HeldByInterface records that an interface value holds the object (see
// IfaceTyped); its type is name.
func (it Item) HeldByInterface(name string) Item {
	it.CoreType = name
	it.IfaceTyped = true
	return it
}

// Type records the type a core or dump reports for the object (see CoreType).
func (it Item) Type(name string) Item {
	it.CoreType = name
	return it
}

// Via records the field path of the last hop's pointer (see Field).
func (it Item) Via(field string) Item {
	it.Field = field
	return it
}

// ViaRe records a pattern for the field path of the last hop's pointer.
func (it Item) ViaRe(pattern string) Item {
	it.FieldRe = pattern
	return it
}

// Var records the local variable of the item's stack root.
func (it Item) Var(name string) Item {
	it.RootVariable = name
	return it
}

// VarRe records a pattern for the variable of the item's stack root.
func (it Item) VarRe(pattern string) Item {
	it.RootVariableRe = pattern
	return it
}

// Retains records the exact retained size of the object: the bytes and
// objects freed if it were freed.
func (it Item) Retains(bytes, objects uint64) Item {
	it.RetainedBytes, it.RetainedObjects = &bytes, &objects
	return it
}

// Dominated records the dominator chain of the object: n dominating
// objects, nearest the base of its immediate dominator and top the base of
// the one nearest the roots (both ignored when n is 0), and label, the
// root or group node above them ("" leaves it unchecked).
func (it Item) Dominated(n int, nearest, top uint64, label string) Item {
	it.Dominators, it.DominatedBy = &n, label
	if n > 0 {
		it.NearestDominator, it.TopDominator = Hex(nearest), Hex(top)
	}
	return it
}

// Retention is what one root, goroutine, group or allocation site must
// retain (`retain roots`, `retain roots --by goroutine`, `retain top
// --retained --by site`). Bounds left nil are not checked.
type Retention struct {
	By         string  `json:"by"` // variable | goroutine | group | site
	Name       *string `json:"name"`
	Goroutine  *int64  `json:"goroutine"`
	Function   *string `json:"function"`
	MinBytes   *uint64 `json:"min_bytes"`
	BelowBytes *uint64 `json:"below_bytes"`
	MinObjects *uint64 `json:"min_objects"`
	// MinReachable bounds the bytes reachable from the root (`roots`
	// reachable_bytes): what it retains plus what it holds with others.
	MinReachable *uint64 `json:"min_reachable_bytes,omitempty"`
}

// Reaches adds a lower bound on the bytes reachable from the root.
func (r Retention) Reaches(min uint64) Retention {
	r.MinReachable = &min
	return r
}

// RootID names one root the way `retain shared --json` lists it: a
// global by name, a stack root by goroutine, function and variable.
type RootID struct {
	Kind      string `json:"kind"`
	Name      string `json:"name,omitempty"`
	Goroutine int64  `json:"goroutine,omitempty"`
	Function  string `json:"function,omitempty"`
	Variable  string `json:"variable,omitempty"`
}

// HiddenGroup is a group of dominator-tree children hidden by the size
// cut (`retain dominators --min-bytes MinBytes`): Count objects labelled
// Label, SizeEach bytes each, shown as one line under their parent.
type HiddenGroup struct {
	Label    string `json:"label"`
	Count    int    `json:"count"`
	SizeEach uint64 `json:"size_each"`
	MinBytes uint64 `json:"min_bytes"`
}

// ReadWord is what `retain read --json` must say of one word of a range:
// Pointer (nil: unchecked), the Variable holding it, the Function whose
// code its value points into, the item whose object it points at.
type ReadWord struct {
	Index    int    `json:"index"`
	Pointer  *bool  `json:"pointer,omitempty"`
	Variable string `json:"variable,omitempty"`
	Function string `json:"function,omitempty"`
	Object   string `json:"object,omitempty"` // an item's name
}

// Read is a range of process memory to `retain read` on the core.
type Read struct {
	Address string     `json:"address"`
	Length  int        `json:"length"`
	Words   []ReadWord `json:"words"`
}

// SharedGroup is memory held jointly by exactly Roots (`retain shared`):
// a group with that root set must exist and hold at least MinBytes.
type SharedGroup struct {
	Roots    []RootID `json:"roots"`
	MinBytes uint64   `json:"min_bytes"`
}

// RootRetains says global variable (by "variable"), group (by "group") or
// allocating function (by "site") name retains at least min bytes.
func RootRetains(by, name string, min uint64) Retention {
	return Retention{By: by, Name: &name, MinBytes: &min}
}

// RootRetainsLess says name (see RootRetains) retains fewer than below bytes.
func RootRetainsLess(by, name string, below uint64) Retention {
	return Retention{By: by, Name: &name, BelowBytes: &below}
}

// GoroutineRetains says goroutine goid, whose top user frame is function,
// retains at least min bytes.
func GoroutineRetains(goid int64, function string, min uint64) Retention {
	return Retention{By: "goroutine", Goroutine: &goid, Function: &function, MinBytes: &min}
}

// AtLeastObjects adds a lower bound on the retained object count.
func (r Retention) AtLeastObjects(n uint64) Retention {
	r.MinObjects = &n
	return r
}

// Chain is a run of single-child nodes in the dominator tree (a linked
// list) that `retain dominators` collapses into one line: it must appear
// below the node labelled Under, start at the object Start and end at End,
// hiding at least MinHops hops.
type Chain struct {
	Under   string `json:"under"`
	Start   string `json:"start"`
	End     string `json:"end"`
	MinHops int    `json:"min_hops"`
}

// Facts are the whole-dump truths beside the items.
type Facts struct {
	Retention  []Retention
	Chains     []Chain
	TypeCounts map[string]int
	Patches    []Patch
	Shared     []SharedGroup
	Hidden     []HiddenGroup
	Reads      []Read
	Sites      []Site
	Profile    string
	Goroutines []GoroutineFact
	Growth     []Growth
}

// Growth is one group's change between the program's first snapshot
// (DUMP.old, DUMP.old.pb.gz) and its last (`retain diff`): By "type",
// "site" (Name: the allocating function) or "root"; Count and Bytes the
// deltas (Bytes a lower bound when AtLeast), Status as diff says it.
type Growth struct {
	By      string `json:"by"`
	Name    string `json:"name"`
	Count   int64  `json:"count"`
	Bytes   int64  `json:"bytes"`
	Status  string `json:"status"`
	AtLeast bool   `json:"at_least,omitempty"`
}

// GoroutineFact is a group of goroutines with one stack: `goroutines
// --group` must show Count of them running Function (their first frame
// outside the runtime), in Status with WaitReason, created by the go
// statement in CreatedBy, each retaining at least MinRetained bytes.
type GoroutineFact struct {
	Function    string `json:"function"`
	Count       int    `json:"count"`
	Status      string `json:"status"`
	WaitReason  string `json:"wait_reason"`
	CreatedBy   string `json:"created_by"`
	MinRetained uint64 `json:"min_retained"`
}

// Site is what one allocating function has live at the dump — every
// object it allocated that is still reachable, sampled at MemProfileRate
// 1 — and the root that keeps the most of it: a global's name, "goroutine
// FUNC" for a goroutine's stack, or "shared" for roots holding it together.
//
// Estimated sites are sampled at Go's default rate: Objects and Bytes are
// then the true population, which `retain sites` estimates.
type Site struct {
	Function  string `json:"function"`
	Objects   uint64 `json:"objects"`
	Bytes     uint64 `json:"bytes"`
	Root      string `json:"root"`
	Estimated bool   `json:"estimated,omitempty"`
}

// File is the whole truth record.
type File struct {
	Scenario       string      `json:"scenario"`
	GoVersion      string      `json:"go_version"`
	GoArch         string      `json:"goarch"`
	MemProfileRate int         `json:"memprofile_rate"`
	Items          []Item      `json:"items"`
	Retention      []Retention `json:"retention,omitempty"`
	Chains         []Chain     `json:"chains,omitempty"`
	// TypeCounts are exact object counts per type name a core must report
	// (`top --by type`).
	TypeCounts map[string]int `json:"type_counts,omitempty"`
	// Patches are words to overwrite in a copy of the core (bad input: a
	// corrupt map header, channel or slice): the copy must still load,
	// quickly, with a warning that counts the refused type proposals.
	Patches []Patch `json:"patches,omitempty"`
	// Shared are groups of memory several roots hold together.
	Shared []SharedGroup `json:"shared,omitempty"`
	// Hidden are groups of children the dominator tree's size cut hides.
	Hidden []HiddenGroup `json:"hidden,omitempty"`
	// Reads are ranges `retain read` must describe word by word (cores).
	Reads []Read `json:"reads,omitempty"`
	// Sites are allocating functions with what they have live (`retain
	// sites`), and Profile the heap profile the program wrote at the same
	// moment (its path relative to the dump's folder).
	Sites   []Site `json:"sites,omitempty"`
	Profile string `json:"profile,omitempty"`
	// Goroutines are groups `retain goroutines --group` must show.
	Goroutines []GoroutineFact `json:"goroutines,omitempty"`
	// Growth is what `retain diff` of the first and last snapshot shows.
	Growth []Growth `json:"growth,omitempty"`
}

// Patch is one 8-byte word to overwrite at a virtual address of the core.
type Patch struct {
	What    string `json:"what"`
	Address string `json:"address"`
	Value   uint64 `json:"value"`
}

// Range is a path length known only within bounds (map internals differ
// between Go versions).
type Range struct {
	Min int `json:"min"`
	Max int `json:"max"`
}

// Addr returns the address fmt's %p prints for p (a pointer, slice, map,
// chan or unsafe.Pointer).
func Addr(p interface{}) uint64 {
	s := fmt.Sprintf("%p", p)
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "0x"), 16, 64)
	if err != nil {
		panic("truth: cannot parse %p output " + strconv.Quote(s))
	}
	return v
}

// Hex formats an address the way the truth file and `retain` spell it.
func Hex(a uint64) string { return "0x" + strconv.FormatUint(a, 16) }

// goMinor is the minor version of the running toolchain (22 for go1.22.12);
// development builds count as very new.
func goMinor() int {
	v := strings.TrimPrefix(runtime.Version(), "go1.")
	end := 0
	for end < len(v) && v[end] >= '0' && v[end] <= '9' {
		end++
	}
	n, err := strconv.Atoi(v[:end])
	if err != nil {
		return 1 << 30
	}
	return n
}

// Size classes of the Go allocator (identical in Go 1.19 … 1.27;
// runtime/sizeclasses.go, internal/runtime/gc/sizeclasses.go).
var sizeClasses = []uint64{8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160,
	176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576,
	640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304, 2688,
	3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472,
	9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760,
	24576, 27264, 28672, 32768}

// Slot returns the slot base and slot size of an object the program got from
// the allocator as a pointer p to userSize bytes. pointerful says whether the
// type holds pointers. Rules (runtime/malloc.go):
//   - Go ≥1.22: pointerful objects of 513 … 32760 bytes get an 8-byte malloc
//     header in front; p is slot+8 and the size class covers userSize+8.
//   - large objects (> 32760 bytes from 1.22, > 32768 before) get their own
//     span; the slot is the span, userSize rounded up to whole 8 KiB pages.
//   - noscan objects under 16 bytes go to the tiny allocator: no own slot,
//     so they make bad truth objects and Slot panics.
func Slot(p, userSize uint64, pointerful bool) (base, size uint64) {
	minor := goMinor()
	maxSmall := uint64(32768)
	if minor >= 22 {
		maxSmall = 32768 - 8
	}
	switch {
	case !pointerful && userSize < 16:
		panic("truth: tiny-allocator object has no slot of its own")
	case userSize > maxSmall:
		return p, (userSize + 8191) &^ 8191
	}
	base, n := p, userSize
	if minor >= 22 && pointerful && userSize > 512 {
		base, n = p-8, userSize+8
	}
	for _, c := range sizeClasses {
		if c >= n {
			return base, c
		}
	}
	panic("truth: no size class")
}

// Global describes an object whose shortest path starts at global rootName.
// pathLength is an int or a Range.
func Global(name string, addr, base, size uint64, rootName, allocFunction string, pathLength interface{}) Item {
	return Item{Name: name, Address: Hex(addr), Base: Hex(base), Size: size,
		RootKind: "global", RootName: &rootName, AllocFunction: allocFunction,
		PathLength: pathLength}
}

// Stack describes an object whose shortest path starts at a local variable
// of function rootFunction in goroutine goid.
func Stack(name string, addr, base, size uint64, rootFunction string, goid int64, allocFunction string, pathLength interface{}) Item {
	return Item{Name: name, Address: Hex(addr), Base: Hex(base), Size: size,
		RootKind: "stack", RootFunction: &rootFunction, Goroutine: &goid,
		AllocFunction: allocFunction, PathLength: pathLength}
}

// Finalizer describes an object whose shortest path starts at a finalizer
// record: rootName is "finalizer" for a finalizer set on an object (it
// keeps what the object points to and the finalizer's closure) or "queued
// finalizer" for one the GC has queued to run (it keeps the object too).
// rootFunction is the finalizer's function (FuncName), checked on cores
// only: a heap dump does not name it.
func Finalizer(name string, addr, base, size uint64, rootName, rootFunction, allocFunction string, pathLength interface{}) Item {
	return Item{Name: name, Address: Hex(addr), Base: Hex(base), Size: size,
		RootKind: "finalizer", RootName: &rootName, RootFunction: &rootFunction,
		AllocFunction: allocFunction, PathLength: pathLength}
}

// Cleanup describes an object whose shortest path starts at the cleanup
// record of runtime.AddCleanup (Go 1.24+), whose cleanup function is
// rootFunction (checked on cores only). Heap dumps record no cleanups, so
// on a dump the object is unreachable (DumpUnreachable).
func Cleanup(name string, addr, base, size uint64, rootFunction, allocFunction string, pathLength interface{}) Item {
	rootName := "cleanup"
	return Item{Name: name, Address: Hex(addr), Base: Hex(base), Size: size,
		RootKind: "cleanup", RootName: &rootName, RootFunction: &rootFunction,
		AllocFunction: allocFunction, PathLength: pathLength, DumpUnreachable: true}
}

// Unreachable describes an allocated object that no root reaches.
func Unreachable(name string, addr, base, size uint64, allocFunction string) Item {
	no := false
	return Item{Name: name, Address: Hex(addr), Base: Hex(base), Size: size,
		AllocFunction: allocFunction, Reachable: &no}
}

// FuncName is the name of the function a func value calls (for a closure,
// the closure's function, e.g. "main.setup.func1"), as the pc-value table
// spells it.
func FuncName(f interface{}) string {
	return runtime.FuncForPC(reflect.ValueOf(f).Pointer()).Name()
}

// GoMinor is the minor version of the running toolchain (22 for go1.22.12).
func GoMinor() int { return goMinor() }

// GoroutineID returns the id of the calling goroutine, read from the
// "goroutine N [status]:" header that runtime.Stack writes (the same id the
// heap dump records). Go 1.23+ may add "gp=… m=…" after N; only N is read.
func GoroutineID() int64 {
	var buf [64]byte
	s := string(buf[:runtime.Stack(buf[:], false)])
	s = strings.TrimPrefix(s, "goroutine ")
	end := 0
	for end < len(s) && s[end] >= '0' && s[end] <= '9' {
		end++
	}
	id, err := strconv.ParseInt(s[:end], 10, 64)
	if err != nil {
		panic("truth: cannot parse goroutine header " + strconv.Quote(string(buf[:])))
	}
	return id
}

// Args returns the dump path and truth path from the command line, or exits
// with a usage message.
func Args() (dumpPath, truthPath string) {
	if len(os.Args) != 3 {
		fmt.Fprintf(os.Stderr, "usage: %s DUMP TRUTH.json\n", os.Args[0])
		os.Exit(2)
	}
	return os.Args[1], os.Args[2]
}

// Finish stops the GC, writes the truth file, collects garbage once more
// (so the dump holds as little dead memory as possible) and writes the heap
// dump. The caller must hold no pointer to a watched object in a live local
// variable, or that local would become a shorter stack root.
func Finish(scenario, dumpPath, truthPath string, items []Item) {
	FinishFacts(scenario, dumpPath, truthPath, items, Facts{})
}

// FinishFacts is Finish with whole-dump facts (retention, chains) recorded
// beside the items.
//
// With RETAIN_TEST_CORE=1 in the environment the program then kills itself
// with SIGABRT (run it with GOTRACEBACK=crash and `ulimit -c unlimited` to
// get a core); with RETAIN_TEST_CORE=pause it writes "dumped\n" to stdout
// and blocks reading stdin, for a debugger to take the core of the live
// process (gdb's gcore). Either way nothing is allocated between the dump
// and the core, and the GC is off, so the core shows the heap of the dump.
// The signal finds the calling goroutine in a system call, its stack
// pointer saved (see coreNow), so the stack a core reader scans is exactly
// the goroutine's frames.
func FinishFacts(scenario, dumpPath, truthPath string, items []Item, facts Facts) {
	core := os.Getenv(CoreEnv)
	scrubStack()
	finish(scenario, dumpPath, truthPath, items, facts, core, true)
}

// FinishWithoutGC is FinishFacts without the collections before the dump,
// for scenarios with finalizers or cleanups: a collection would queue the
// finalizer of every unreachable object that has one (and run it, and free
// what it kept), changing the roots the scenario recorded. The caller must
// have stopped the GC (debug.SetGCPercent(-1)) before setting them.
func FinishWithoutGC(scenario, dumpPath, truthPath string, items []Item, facts Facts) {
	core := os.Getenv(CoreEnv)
	scrubStack()
	finish(scenario, dumpPath, truthPath, items, facts, core, false)
}

// scrubStack zeroes the stack below the caller's frame, where the frames of
// the scenario's setup functions (and fmt, for Addr) left dead copies of
// watched pointers: the frames the dump and the core are taken in then hold
// no stale pointer a conservative stack scan could mistake for a root.
//
//go:noinline
func scrubStack() {
	var buf [32 << 10]byte
	sink(buf[:])
}

//go:noinline
func sink(b []byte) {
	if len(b) > 0 && b[len(b)-1] != 0 {
		panic("truth: stack not zeroed")
	}
}

func finish(scenario, dumpPath, truthPath string, items []Item, facts Facts, core string, gc bool) {
	debug.SetGCPercent(-1)
	if gc {
		runtime.GC()
	}
	f := File{Scenario: scenario, GoVersion: runtime.Version(), GoArch: runtime.GOARCH,
		MemProfileRate: runtime.MemProfileRate, Items: items,
		Retention: facts.Retention, Chains: facts.Chains, TypeCounts: facts.TypeCounts, Patches: facts.Patches,
		Shared: facts.Shared, Hidden: facts.Hidden, Reads: facts.Reads, Sites: facts.Sites,
		Profile: facts.Profile, Goroutines: facts.Goroutines,
		Growth: facts.Growth}
	data, err := json.MarshalIndent(&f, "", "  ")
	check(err)
	check(os.WriteFile(truthPath, append(data, '\n'), 0o644))
	out, err := os.Create(dumpPath)
	check(err)
	fd := out.Fd()
	if gc {
		runtime.GC()
	}
	debug.WriteHeapDump(fd)
	// The dump went out with write(2): it is complete on disk. The file
	// stays open so its finalizer is in the core as it is in the dump.
	coreNow(core, false)
	check(out.Close())
}

// DumpThenCore is the end of a program whose heap is compared as a whole,
// not item by item (tests/crosscheck.py): it stops the GC, collects garbage,
// lets garbage() leave some unreachable objects behind, writes the heap dump
// and then, as CoreEnv asks, the core of the same moment — taken while the
// calling goroutine is running (see coreNow), unlike FinishFacts's, which
// is taken in a system call.
func DumpThenCore(dumpPath string, garbage func()) {
	core := os.Getenv(CoreEnv)
	out, err := os.Create(dumpPath)
	check(err)
	fd := out.Fd()
	scrubStack()
	debug.SetGCPercent(-1)
	runtime.GC()
	if garbage != nil {
		garbage()
	}
	debug.WriteHeapDump(fd)
	coreNow(core, true)
	check(out.Close())
}

// CoreEnv names the environment variable that asks for a core after the
// heap dump: "1" (SIGABRT) or "pause" (wait for gcore).
const CoreEnv = "RETAIN_TEST_CORE"

// SnapshotEnv asks for cores in the middle of a run: with
// RETAIN_TEST_SNAPSHOTS=pause, Snapshot writes "snapshot PATH" to stdout
// and waits for one byte on stdin while gdb's gcore takes the core of the
// live process at PATH (tests/scenarios.py); without it Snapshot does
// nothing.
const SnapshotEnv = "RETAIN_TEST_SNAPSHOTS"

// Snapshot asks for a core of this moment at path (see SnapshotEnv), the
// way a user takes cores of a live service some time apart.
func Snapshot(path string) {
	if os.Getenv(SnapshotEnv) != "pause" {
		return
	}
	syscall.Write(1, []byte("snapshot "+path+"\n"))
	for {
		if n, err := syscall.Read(0, stdinBuf[:]); n > 0 || err != syscall.EINTR {
			break
		}
	}
}

var (
	dumpedMsg = []byte("dumped\n")
	stdinBuf  [1]byte
	oneSecond = syscall.Timeval{Sec: 1}
)

// coreNow ends the process with a core of this very moment as mode asks
// ("" does nothing). It allocates nothing: syscalls only, on static data.
//
// The SIGABRT comes from tgkill on this thread and arrives on the way out
// of the syscall; the runtime's handler dies with a core (GOTRACEBACK=crash)
// without returning here. With running false tgkill goes through
// syscall.Syscall, so the goroutine is in _Gsyscall with its stack pointer
// saved (g.syscallsp), like a goroutine blocked in a system call. With
// running true it is a raw syscall: the goroutine stays _Grunning with no
// saved stack pointer, as in a process that crashed while running Go code,
// and a core reader must find its stack pointer in the signal context on
// the thread's signal stack.
func coreNow(mode string, running bool) {
	switch mode {
	case "":
		return
	case "pause":
		syscall.Write(1, dumpedMsg)
		for {
			if n, err := syscall.Read(0, stdinBuf[:]); n <= 0 && err != syscall.EINTR {
				break
			}
		}
		syscall.Exit(3)
	default:
		pid := syscall.Getpid()
		if running {
			syscall.Tgkill(pid, syscall.Gettid(), syscall.SIGABRT)
		} else {
			syscall.Syscall(syscall.SYS_TGKILL, uintptr(pid), uintptr(syscall.Gettid()),
				uintptr(syscall.SIGABRT))
		}
		for {
			syscall.Kill(pid, syscall.SIGABRT)
			syscall.Select(0, nil, nil, nil, &oneSecond)
		}
	}
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
