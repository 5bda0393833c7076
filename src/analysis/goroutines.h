/* goroutines.h — the goroutines of a heap's moment: status, what each
 * waits for and since when, where it runs and who started it, and the
 * bytes its stack reaches and retains; folded by identical stacks, which
 * a leak of 10,000 goroutines needs. */
#ifndef RETAIN_ANALYSIS_GOROUTINES_H
#define RETAIN_ANALYSIS_GOROUTINES_H

#include "analysis/retained.h"
#include "analysis/shared.h"
#include "model/model.h"

typedef struct rt_goroutine_row {
    uint32_t g;            /* index in rt_model.goroutines of the row's first goroutine */
    uint32_t count;        /* goroutines in the row (1 unless grouped) */
    uint64_t stack_bytes;  /* summed over the row */
    uint64_t reachable_bytes, retained_bytes; /* summed: each goroutine's stack as a whole */
    int64_t wait_minutes;  /* the longest wait in the row, -1 if unknown */
} rt_goroutine_row;

typedef struct rt_goroutines {
    rt_goroutine_row *rows; /* by retained bytes, then count, then id */
    uint32_t nrows;
    uint32_t total;         /* goroutines */
} rt_goroutines;

/* From m and its dominator tree r (groups per goroutine); s may be NULL
 * or computed with SHARED_GROUPS (then reachable bytes count what the
 * goroutine holds with others).  group: fold identical stacks. */
void goroutines_compute(const rt_model *m, const rt_retained *r, const rt_shared *s, int group,
                        rt_goroutines *out);
void goroutines_free(rt_goroutines *out);

/* "waiting", "runnable", ... for a runtime status (_Gscan cleared). */
const char *goroutine_status_name(uint32_t status);
/* Index within g's frames of the frame it runs or waits in: its first
 * outside the runtime (time.Sleep, sync.(*Mutex).Lock); 0 if none. */
uint32_t goroutine_wait_frame(const rt_model *m, const rt_goroutine *g);
/* Index of its first frame of the program's own code (package main, or a
 * module path with a domain), else goroutine_wait_frame's. */
uint32_t goroutine_user_frame(const rt_model *m, const rt_goroutine *g);

#endif
