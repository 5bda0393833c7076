/* progress.h — how long-running work reports progress without knowing
 * where it goes (the CLI prints it on stderr when it takes over a second). */
#ifndef RETAIN_UTIL_PROGRESS_H
#define RETAIN_UTIL_PROGRESS_H

#include <stdint.h>

typedef struct rt_progress {
    void (*fn)(void *arg, const char *phase, uint64_t done, uint64_t total);
    void *arg;
} rt_progress;

static inline void progress_report(const rt_progress *p, const char *phase, uint64_t done,
                                   uint64_t total)
{
    if (p && p->fn)
        p->fn(p->arg, phase, done, total);
}

#endif
