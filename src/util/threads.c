/* threads.c — rt_parallel on POSIX threads (threads.h). */
#include "util/threads.h"

#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

int rt_threads_default(void)
{
    const char *env = getenv("RETAIN_THREADS");
    if (env && *env) {
        char *end;
        long v = strtol(env, &end, 10);
        if (*end == 0 && v >= 1 && v <= RT_MAX_THREADS)
            return (int)v;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > RT_MAX_THREADS ? RT_MAX_THREADS : (int)n;
}

typedef struct job {
    void (*fn)(void *, int);
    void *arg;
    int worker;
} job;

static void *run_job(void *p)
{
    job *j = p;
    j->fn(j->arg, j->worker);
    return NULL;
}

void rt_parallel(int n, void (*fn)(void *arg, int worker), void *arg)
{
    if (n > RT_MAX_THREADS)
        n = RT_MAX_THREADS;
    pthread_t tid[RT_MAX_THREADS];
    job jobs[RT_MAX_THREADS];
    int started[RT_MAX_THREADS] = { 0 };
    for (int w = 1; w < n; w++) {
        jobs[w] = (job){ fn, arg, w };
        started[w] = pthread_create(&tid[w], NULL, run_job, &jobs[w]) == 0;
    }
    fn(arg, 0);
    for (int w = 1; w < n; w++) {
        if (started[w])
            pthread_join(tid[w], NULL);
        else
            fn(arg, w);
    }
}
