/* sigbus_guard.c — SIGBUS on a shrunk mapping, turned into an error
 * (sigbus_guard.h).  The one piece of process-wide mutable state in
 * retain: a signal handler has no other way to reach the code it must
 * return to (or the line it must print).  It is set and cleared around
 * the loading of inputs, and kept for a saved index's mapping. */
#include "io/sigbus_guard.h"

#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf *volatile guard_env;
static char exit_line[1024];
static size_t exit_len;

static void on_sigbus_exit(int sig)
{
    (void)sig;
    ssize_t w = write(STDERR_FILENO, exit_line, exit_len); /* async-signal-safe, unlike stdio */
    (void)w;
    _exit(1);
}

static void install(void (*handler)(int), sigjmp_buf *env)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    guard_env = env;
    sigaction(SIGBUS, &sa, NULL);
}

void sigbus_exit_on(const char *line)
{
    exit_len = (size_t)snprintf(exit_line, sizeof exit_line, "%s\n", line);
    if (exit_len >= sizeof exit_line)
        exit_len = sizeof exit_line - 1;
    install(on_sigbus_exit, NULL);
}

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
    install(on_sigbus, env);
}

void sigbus_guard_off(void)
{
    guard_env = NULL;
    signal(SIGBUS, SIG_DFL);
}
