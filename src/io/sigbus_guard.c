/* sigbus_guard.c — SIGBUS on a shrunk mapping, turned into an error
 * (sigbus_guard.h).  The one piece of process-wide mutable state in
 * retain: a signal handler has no other way to reach the code it must
 * return to.  It is set and cleared around the loading of inputs only. */
#include "io/sigbus_guard.h"

#include <signal.h>
#include <stddef.h>
#include <string.h>

static sigjmp_buf *volatile guard_env;

static void on_sigbus(int sig)
{
    sigjmp_buf *env = guard_env;
    if (env) {
        guard_env = NULL;
        siglongjmp(*env, 1);
    }
    signal(sig, SIG_DFL); /* not ours: die as before */
    raise(sig);
}

void sigbus_guard_on(sigjmp_buf *env)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    guard_env = env;
    sigaction(SIGBUS, &sa, NULL);
}

void sigbus_guard_off(void)
{
    guard_env = NULL;
    signal(SIGBUS, SIG_DFL);
}
