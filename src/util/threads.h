/* threads.h — running one function on several threads at once, for the
 * phases that split cleanly (the pointer scan of a core's spans).  Each
 * phase keeps its output per worker and merges it in worker order, so
 * that answers do not depend on the number of threads. */
#ifndef RETAIN_UTIL_THREADS_H
#define RETAIN_UTIL_THREADS_H

/* How many threads to use when the user did not say: RETAIN_THREADS when
 * set to a number from 1 to RT_MAX_THREADS, else the processors online. */
#define RT_MAX_THREADS 64
int rt_threads_default(void);

/* Run fn(arg, w) for w in [0, n): worker 0 on the calling thread, the
 * others on threads of their own; returns once all have.  A thread that
 * cannot be started has its share run on the calling thread afterwards,
 * so the work is always done. */
void rt_parallel(int n, void (*fn)(void *arg, int worker), void *arg);

#endif
