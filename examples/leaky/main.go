// Command leaky is a small stand-in for a service that slowly eats memory,
// bundled with retain as a quick-start example. It leaks in three ways real
// services do:
//
//   - sessionCache, a map of logged-in sessions, is filled on every login
//     and never pruned;
//   - eventLog, an audit log slice, only ever grows;
//   - a few request handlers wait forever for an upstream reply that never
//     comes, each holding its 256 KiB request body.
//
// It serves a few thousand simulated requests (well under a second), writes a
// heap dump to the path given as its argument (and its heap profile beside
// it, DUMP.pb.gz), and prints one leaked object's address to ask retain
// about:
//
//	go build -o leaky . && ./leaky leaky.dump
//	leaked: 0xc000123450
//	retain why 0xc000123450 leaky.dump ./leaky
//
// Standard library only; builds with Go 1.19 and newer.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Record every allocation in the memory profile, so the dump knows which
// function allocated each object.
func init() { runtime.MemProfileRate = 1 }

// Session is one logged-in user.
type Session struct {
	ID      string
	User    string
	Created time.Time
	Cart    []string
	Token   []byte
}

// Event is one audit-log entry.
type Event struct {
	At      time.Time
	Kind    string
	Session string
}

var (
	// sessionCache maps session ids to sessions. Nothing ever deletes from it.
	sessionCache = map[string]*Session{}
	// eventLog is appended to on every request and never truncated.
	eventLog []Event
	// upstream is where slow requests wait for a reply. Nobody ever answers.
	upstream = make(chan []byte)
)

//go:noinline
func newSession(user string, n int) *Session {
	return &Session{
		ID:      "s-" + strconv.Itoa(n),
		User:    user,
		Created: time.Now(),
		Cart:    make([]string, 0, 4),
		Token:   make([]byte, 32),
	}
}

// login creates a session and caches it.
func login(user string, n int) *Session {
	s := newSession(user, n)
	sessionCache[s.ID] = s
	logEvent("login", s.ID)
	return s
}

func logEvent(kind, session string) {
	eventLog = append(eventLog, Event{At: time.Now(), Kind: kind, Session: session})
}

//go:noinline
func readBody(size int) []byte {
	body := make([]byte, size)
	for i := range body {
		body[i] = byte(i)
	}
	return body
}

// handleSlow forwards a request body upstream and waits for the answer. The
// answer never comes, so the goroutine and its body stay forever.
func handleSlow(id int, started *sync.WaitGroup) {
	body := readBody(256 << 10)
	started.Done()
	reply := <-upstream
	// Using body after the wait keeps the pointer live across it (len
	// alone would let the compiler keep just the length).
	fmt.Println(id, body[0], len(reply))
}

// serve simulates n requests: everyone logs in and browses a little; every
// 1000th request is a slow one that gets stuck.
func serve(n int) {
	var started sync.WaitGroup
	for i := 0; i < n; i++ {
		s := login("user"+strconv.Itoa(i%997), i)
		s.Cart = append(s.Cart, "item-"+strconv.Itoa(i%13))
		logEvent("browse", s.ID)
		if i%1000 == 999 {
			started.Add(1)
			go handleSlow(i, &started)
		}
	}
	started.Wait()
	time.Sleep(20 * time.Millisecond) // let the stuck handlers block
}

// suspect picks a session to ask about: one of the first users, long gone
// from any real page, but still cached.
//
//go:noinline
func suspect() string {
	return fmt.Sprintf("%p", sessionCache["s-42"])
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: leaky DUMP")
		os.Exit(2)
	}
	// LEAKY_REQUESTS: how many requests to serve (5000 unless told);
	// the tests take snapshots of different ages and sizes with it.
	requests := 5000
	if n, err := strconv.Atoi(os.Getenv("LEAKY_REQUESTS")); err == nil && n > 0 {
		requests = n
	}
	serve(requests)
	leaked := suspect()

	f, err := os.Create(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	runtime.GC()
	// the heap profile of the same moment, beside the dump (DUMP.pb.gz):
	// what `go tool pprof` would be given, for `retain sites --profile`
	if err := writeProfile(os.Args[1] + ".pb.gz"); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	debug.WriteHeapDump(f.Fd())
	if err := f.Close(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("leaked:", leaked)
	if os.Getenv("LEAKY_CORE") == "1" {
		abortWithCore()
	}
}

func writeProfile(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := pprof.WriteHeapProfile(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// abortWithCore ends the process with SIGABRT so that, run with
// GOTRACEBACK=crash and core dumps enabled, it leaves a core of the same
// heap. The signal is sent from a raw system call, so it arrives while
// this goroutine sits in the syscall with its stack pointer saved.
func abortWithCore() {
	debug.SetGCPercent(-1)
	runtime.LockOSThread()
	pid := os.Getpid()
	syscall.Syscall(syscall.SYS_TGKILL, uintptr(pid), uintptr(syscall.Gettid()), uintptr(syscall.SIGABRT))
	for {
		syscall.Kill(pid, syscall.SIGABRT)
		time.Sleep(time.Second)
	}
}
