/* json.c — streaming JSON output (json.h). */
#include "report/json.h"

#include <inttypes.h>
#include <string.h>

void json_init(json_w *w, FILE *f)
{
    memset(w, 0, sizeof *w);
    w->f = f;
    w->first[0] = 1;
}

/* separator before a value or key */
static void sep(json_w *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (!w->first[w->depth])
        fputc(',', w->f);
    if (w->lines[w->depth])
        fputc('\n', w->f);
    w->first[w->depth] = 0;
}

static void open(json_w *w, char c)
{
    sep(w);
    fputc(c, w->f);
    if (w->depth + 1 < JSON_MAX_DEPTH)
        w->depth++;
    w->first[w->depth] = 1;
    w->lines[w->depth] = 0;
}

static void close_(json_w *w, char c)
{
    if (w->lines[w->depth])
        fputc('\n', w->f);
    fputc(c, w->f);
    if (w->depth > 0)
        w->depth--;
}

static void raw_str(FILE *f, const char *s, size_t n);

void json_obj_begin(json_w *w) { open(w, '{'); }
void json_obj_end(json_w *w) { close_(w, '}'); }
void json_arr_begin(json_w *w) { open(w, '['); }
void json_arr_end(json_w *w) { close_(w, ']'); }

void json_arr_begin_lines(json_w *w)
{
    open(w, '[');
    w->lines[w->depth] = 1;
}

void json_key(json_w *w, const char *k)
{
    sep(w);
    raw_str(w->f, k, strlen(k));
    fputc(':', w->f);
    w->after_key = 1;
}

/* length of a valid UTF-8 sequence at s, or 0 */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t len;
    uint32_t cp;
    if (c < 0x80)
        return 1;
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return 0;
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = cp << 6 | (s[i] & 0x3F);
    }
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

static void raw_str(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c == '"' || c == '\\') {
            fputc('\\', f);
            fputc(c, f);
            i++;
        } else if (c < 0x20) {
            fprintf(f, "\\u%04x", c);
            i++;
        } else if (c < 0x80) {
            fputc(c, f);
            i++;
        } else {
            size_t k = utf8_len(p + i, n - i);
            if (k) {
                fwrite(p + i, 1, k, f);
                i += k;
            } else {
                fprintf(f, "\\u%04x", c); /* not UTF-8: keep the byte value */
                i++;
            }
        }
    }
    fputc('"', f);
}

void json_strn(json_w *w, const char *s, size_t n)
{
    sep(w);
    raw_str(w->f, s, n);
}

void json_str(json_w *w, const char *s)
{
    sep(w);
    if (!s) {
        fputs("null", w->f);
        return;
    }
    raw_str(w->f, s, strlen(s));
}

void json_str_or_null(json_w *w, const char *s)
{
    json_str(w, s && s[0] ? s : NULL);
}

void json_u64_or_null(json_w *w, int known, uint64_t v)
{
    if (known)
        json_u64(w, v);
    else
        json_null(w);
}

void json_u64(json_w *w, uint64_t v)
{
    sep(w);
    fprintf(w->f, "%" PRIu64, v);
}

void json_i64(json_w *w, int64_t v)
{
    sep(w);
    fprintf(w->f, "%" PRId64, v);
}

void json_f64(json_w *w, double v)
{
    sep(w);
    fprintf(w->f, "%.6g", v);
}

void json_bool(json_w *w, int v)
{
    sep(w);
    fputs(v ? "true" : "false", w->f);
}

void json_null(json_w *w)
{
    sep(w);
    fputs("null", w->f);
}

void json_addr(json_w *w, uint64_t v)
{
    sep(w);
    fprintf(w->f, "\"0x%" PRIx64 "\"", v);
}

/* No fflush here: a failed flush would drop the reason (errno) that
 * whoever closes the stream reports (see io/output.h). */
void json_done(json_w *w)
{
    fputc('\n', w->f);
}
