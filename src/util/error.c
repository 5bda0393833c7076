/* error.c — filling and formatting rt_error records. */
#include "util/error.h"

#include <stdio.h>
#include <string.h>

static const char *const code_names[] = {
#define RT_X(name, text) text,
    RT_ERRORS(RT_X)
#undef RT_X
};

void rt_error_clear(rt_error *e)
{
    if (!e)
        return;
    memset(e, 0, sizeof *e);
    e->offset = RT_NO_OFFSET;
}

const char *rt_code_name(rt_code c)
{
    return (unsigned)c < RT_E_COUNT ? code_names[c] : "unknown error";
}

int rt_fail_at(rt_error *e, rt_code code, const char *src, int line, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        e->code = code;
        e->src_file = src;
        e->src_line = line;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
        /* messages quote input bytes; keep them on one line */
        for (char *c = e->msg; *c; c++)
            if ((unsigned char)*c < 0x20)
                *c = '?';
    }
    return -(int)code;
}

void rt_error_where(rt_error *e, const char *input, uint64_t offset, const char *phase)
{
    if (!e)
        return;
    if (input && !e->input[0])
        snprintf(e->input, sizeof e->input, "%s", input);
    if (offset != RT_NO_OFFSET && e->offset == RT_NO_OFFSET)
        e->offset = offset;
    if (phase && !e->phase[0])
        snprintf(e->phase, sizeof e->phase, "%s", phase);
}

void rt_error_format(const rt_error *e, char *buf, unsigned long n)
{
    char where[400] = "";
    size_t w = 0;
    if (e->input[0])
        w += (size_t)snprintf(where + w, sizeof where - w, "%s: ", e->input);
    if (e->offset != RT_NO_OFFSET && w < sizeof where)
        w += (size_t)snprintf(where + w, sizeof where - w, "offset %llu (0x%llx): ",
                              (unsigned long long)e->offset, (unsigned long long)e->offset);
    if (e->phase[0] && w < sizeof where)
        snprintf(where + w, sizeof where - w, "while %s: ", e->phase);
    snprintf(buf, n, "%s%s", where, e->msg[0] ? e->msg : rt_code_name(e->code));
}
