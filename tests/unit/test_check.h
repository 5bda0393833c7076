/* test_check.h — what the unit tests in tests/unit share: counting checks
 * and printing the failed ones, printing an rt_error, running shell
 * commands, building with an installed Go toolchain, reading and writing
 * whole files.
 *
 * Header-only (static inline), so each test stays one .c file and one
 * executable, with no test library to build or link.  A test's context
 * (its own tctx) holds a tcheck named c, which CHECK and CHECK_EQ count
 * in.  test_dominators.c keeps its own bookkeeping: it counts cases, not
 * checks, and prints only a case's first failure. */
#ifndef RETAIN_TEST_CHECK_H
#define RETAIN_TEST_CHECK_H

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "util/alloc.h"
#include "util/error.h"

/* Under AddressSanitizer, which reserves terabytes of address space, a
 * test cannot cap a child's address space to catch large allocations. */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

/* ------------------------------------------------------------ checks */

typedef struct tcheck {
    int pass, fail;  /* checks so far */
    const char *tag; /* what is being checked, named in FAIL lines; NULL: nothing */
} tcheck;

/* "FAIL [tag] line N: " (or "FAIL line N: " without a tag), so that a
 * failure says which toolchain, binary or case it was in. */
static inline void check_where(const tcheck *c, int line, char *out, size_t n)
{
    if (c->tag)
        snprintf(out, n, "FAIL [%s] line %d: ", c->tag, line);
    else
        snprintf(out, n, "FAIL line %d: ", line);
}

/* Count one check; print the failed one on stderr.  Returns ok, so a
 * test can stop where going on makes no sense: if (!CHECK(...)) return; */
static inline bool check_at(tcheck *c, bool ok, const char *what, int line)
{
    if (ok) {
        c->pass++;
        return true;
    }
    char where[300];
    c->fail++;
    check_where(c, line, where, sizeof where);
    fprintf(stderr, "%s%s\n", where, what);
    return false;
}
#define CHECK(t, cond) check_at(&(t)->c, (cond), #cond, __LINE__)

/* As check_at for got == want, printing both values when they differ. */
static inline bool check_eq_at(tcheck *c, uint64_t got, uint64_t want, const char *what, int line)
{
    if (got == want) {
        c->pass++;
        return true;
    }
    char where[300];
    c->fail++;
    check_where(c, line, where, sizeof where);
    fprintf(stderr,
            "%s%s = %" PRIu64 " (0x%" PRIx64 "), want %" PRIu64 " (0x%" PRIx64 ")\n",
            where, what, got, got, want, want);
    return false;
}
#define CHECK_EQ(t, got, want) \
    check_eq_at(&(t)->c, (uint64_t)(got), (uint64_t)(want), #got, __LINE__)

/* The last line of every test, "N passed, M failed", and its exit status. */
static inline int check_summary(const tcheck *c)
{
    printf("%d passed, %d failed\n", c->pass, c->fail);
    return c->fail ? 1 : 0;
}

/* As check_summary, for a test of Go toolchains: 77 (ctest's
 * SKIP_RETURN_CODE) when it found none to test and nothing failed. */
static inline int check_summary_go(const tcheck *c, int tested)
{
    int rc = check_summary(c);
    if (tested)
        return rc;
    printf("no Go toolchain found: skipped\n");
    return rc ? 1 : 77;
}

/* An error under a failed check, indented. */
static inline void print_err(const char *what, const rt_error *e)
{
    char buf[1400];
    rt_error_format(e, buf, sizeof buf);
    fprintf(stderr, "  %s: %s\n", what, buf);
}

/* The same with its code and where in our code it was raised, for the
 * tests of the loaders, whose errors come from deep down. */
static inline void print_err_origin(const char *what, const rt_error *e)
{
    char buf[1400];
    rt_error_format(e, buf, sizeof buf);
    fprintf(stderr, "  %s: %s (code %d, raised at %s:%d)\n", what, buf, (int)e->code,
            e->src_file ? e->src_file : "?", e->src_line);
}

/* ------------------------------------------------------------ commands */

/* Run a shell command; its exit status, or -1 if it did not exit.  Our
 * buffered output goes first, so it stays in order with the command's. */
static inline int vsh(const char *fmt, va_list ap)
{
    char cmd[8192];
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    fflush(NULL);
    int st = system(cmd);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static inline int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline int sh(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = vsh(fmt, ap);
    va_end(ap);
    return rc;
}

/* ------------------------------------------------------------ Go toolchains */

/* The toolchains a test checks: those named on its command line from
 * argv[first] on, or else every one we support (as RETAIN_GO_VERSIONS in
 * tests/CMakeLists.txt). */
static inline const char *const *go_versions(int argc, char **argv, int first, size_t *n)
{
    static const char *const all[] = { "1.19", "1.21", "1.22", "1.23", "1.24", "1.26", "1.27" };
    if (argc > first) {
        *n = (size_t)(argc - first);
        return (const char *const *)argv + first;
    }
    *n = sizeof all / sizeof *all;
    return all;
}

/* The `go` of toolchain ver ("1.22"), where Debian's golang-1.NN puts it. */
static inline const char *go_path(const char *ver, char *out, size_t n)
{
    snprintf(out, n, "/usr/lib/go-%s/bin/go", ver);
    return out;
}

/* Whether toolchain ver is installed; when not, a "skip" line says so. */
static inline bool go_installed(const char *ver)
{
    char go[256];
    if (access(go_path(ver, go, sizeof go), X_OK) == 0)
        return true;
    printf("skip go%s: %s not installed\n", ver, go);
    return false;
}

/* The shell command that runs `GO ARGS...` in dir the way every test runs
 * Go: offline (no module proxy, no toolchain download), its build cache
 * and GOPATH under cache (shared by repeated runs, and never $HOME's), and
 * env ("CGO_ENABLED=0", or NULL) on top.  False if it does not fit in n. */
static inline bool go_vcommand(char *out, size_t n, const char *dir, const char *cache,
                               const char *env, const char *go, const char *fmt, va_list ap)
{
    char args[4096];
    vsnprintf(args, sizeof args, fmt, ap);
    int k = snprintf(out, n,
                     "cd '%s' && GOTOOLCHAIN=local GOPROXY=off GOFLAGS=-mod=mod "
                     "GOTELEMETRY=off GOCACHE='%s/gocache' GOPATH='%s/gopath'%s%s '%s' %s",
                     dir, cache, cache, env ? " " : "", env ? env : "", go, args);
    return k >= 0 && (size_t)k < n;
}

static inline bool go_command(char *out, size_t n, const char *dir, const char *cache,
                              const char *env, const char *go, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static inline bool go_command(char *out, size_t n, const char *dir, const char *cache,
                              const char *env, const char *go, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = go_vcommand(out, n, dir, cache, env, go, fmt, ap);
    va_end(ap);
    return ok;
}

/* Run that command (see go_command); its exit status as sh gives it. */
static inline int go_run(const char *dir, const char *cache, const char *env, const char *go,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static inline int go_run(const char *dir, const char *cache, const char *env, const char *go,
                         const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    bool ok = go_vcommand(cmd, sizeof cmd, dir, cache, env, go, fmt, ap);
    va_end(ap);
    return ok ? sh("%s", cmd) : -1;
}

/* ------------------------------------------------------------ files */

/* The whole of path in a new buffer (free it), its size in *n; NULL (and
 * *n 0) when it cannot be opened or read to the end. */
static inline uint8_t *read_file(const char *path, size_t *n)
{
    *n = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    uint8_t *buf = NULL;
    if (len >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = rt_malloc(len > 0 ? (size_t)len : 1);
        if (fread(buf, 1, (size_t)len, f) == (size_t)len)
            *n = (size_t)len;
        else {
            free(buf);
            buf = NULL;
        }
    }
    fclose(f);
    return buf;
}

/* Write n bytes to path, replacing it; false (errno set) when that fails. */
static inline bool write_bytes(const char *path, const void *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return false;
    bool ok = n == 0 || fwrite(p, 1, n, f) == n; /* an empty buffer's p may be NULL */
    return fclose(f) == 0 && ok;
}

static inline bool write_text(const char *path, const char *text)
{
    return write_bytes(path, text, strlen(text));
}

/* For the files a test cannot go on without: a failed write ends it with
 * status 2, a failure of the test's setup rather than of what it checks. */
static inline void write_or_exit(const char *path, const void *p, size_t n)
{
    if (!write_bytes(path, p, n)) {
        fprintf(stderr, "cannot write %s: %s\n", path, strerror(errno));
        exit(2);
    }
}

#endif
