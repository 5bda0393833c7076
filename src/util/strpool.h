/* strpool.h — interned strings with dense uint32 ids.
 *
 * Id 0 is the empty string and means "none".  Strings are byte strings
 * (may hold any byte but NUL is allowed too: lengths are kept).  Pointers
 * returned by strpool_get stay valid until strpool_free. */
#ifndef RETAIN_UTIL_STRPOOL_H
#define RETAIN_UTIL_STRPOOL_H

#include <stddef.h>
#include <stdint.h>

typedef struct rt_strpool rt_strpool;

rt_strpool *strpool_new(void);
void strpool_free(rt_strpool *p); /* NULL-safe */
uint32_t strpool_intern(rt_strpool *p, const char *s, size_t len);
uint32_t strpool_intern_cstr(rt_strpool *p, const char *s);
/* NUL-terminated text of id; "" for 0 or out-of-range ids */
const char *strpool_get(const rt_strpool *p, uint32_t id);
size_t strpool_len(const rt_strpool *p, uint32_t id);
uint32_t strpool_count(const rt_strpool *p);

#endif
