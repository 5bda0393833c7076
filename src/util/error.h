/* error.h — the one error record every fallible function fills.
 *
 * Fallible functions return 0 or a negative rt_code and take an rt_error*
 * last.  The record says what went wrong in words a user can act on, and
 * where: the input file, the byte offset or address, and the phase. */
#ifndef RETAIN_UTIL_ERROR_H
#define RETAIN_UTIL_ERROR_H

#include <stdarg.h>
#include <stdint.h>

/* X-macro: one list makes both the enum and the short names. */
#define RT_ERRORS(X)                                   \
    X(OK, "ok")                                        \
    X(NOMEM, "out of memory")                          \
    X(IO, "cannot read input")                         \
    X(FORMAT, "unrecognised input")                    \
    X(CORRUPT, "corrupt input")                        \
    X(TRUNCATED, "truncated input")                    \
    X(MISMATCH, "inputs do not belong together")       \
    X(UNSUPPORTED, "not supported")                    \
    X(USAGE, "usage error")                            \
    X(NOTFOUND, "not found")

typedef enum {
#define RT_X(name, text) RT_E_##name,
    RT_ERRORS(RT_X)
#undef RT_X
    RT_E_COUNT
} rt_code;

#define RT_NO_OFFSET UINT64_MAX

typedef struct rt_error {
    rt_code code;
    char input[256];   /* file the error is about, or "" */
    uint64_t offset;   /* byte offset in input, or RT_NO_OFFSET */
    char phase[96];    /* what we were doing, e.g. "reading object record" */
    char msg[512];     /* the sentence, including what to do */
    const char *src_file; /* where in our code it was raised */
    int src_line;
} rt_error;

void rt_error_clear(rt_error *e);
const char *rt_code_name(rt_code c);

/* Fill *e and return -code.  Use through RT_FAIL so file:line is recorded. */
int rt_fail_at(rt_error *e, rt_code code, const char *src, int line,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
#define RT_FAIL(e, code, ...) rt_fail_at((e), (code), __FILE__, __LINE__, __VA_ARGS__)

/* Set the input file / offset / phase of an error raised deeper down,
 * without overwriting what the deeper code already knew. */
void rt_error_where(rt_error *e, const char *input, uint64_t offset, const char *phase);

/* Format the error as one line: "FILE: offset 0x..: (phase) message". */
void rt_error_format(const rt_error *e, char *buf, unsigned long n);

#endif
