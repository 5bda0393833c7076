/* json.h — a streaming JSON writer: output goes out as it is produced,
 * so listing ten million objects needs no second copy in memory. */
#ifndef RETAIN_REPORT_JSON_H
#define RETAIN_REPORT_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

typedef struct json_w {
    FILE *f;
    int depth;
    unsigned char first[JSON_MAX_DEPTH]; /* nothing written yet at this depth */
    unsigned char lines[JSON_MAX_DEPTH]; /* one element per line at this depth */
    int after_key;
} json_w;

void json_init(json_w *w, FILE *f);
void json_obj_begin(json_w *w);
void json_obj_end(json_w *w);
void json_arr_begin(json_w *w);
void json_arr_end(json_w *w);
void json_key(json_w *w, const char *k);
/* Bytes, which need not be UTF-8: invalid bytes are written as \u00XX. */
void json_strn(json_w *w, const char *s, size_t n);
void json_str(json_w *w, const char *s);   /* NULL writes null */
void json_str_or_null(json_w *w, const char *s); /* "" writes null too */
void json_u64(json_w *w, uint64_t v);
void json_u64_or_null(json_w *w, int known, uint64_t v); /* an unknown figure is null, never 0 */
void json_i64(json_w *w, int64_t v);
void json_f64(json_w *w, double v);
void json_bool(json_w *w, int v);
void json_null(json_w *w);
void json_addr(json_w *w, uint64_t v);  /* "0x..." */
/* An array with one element per line (valid JSON whitespace), so a
 * streamed listing can be read line by line. */
void json_arr_begin_lines(json_w *w);
/* End the document with a newline. */
void json_done(json_w *w);

#endif
