/* sigbus_guard.h — a mapped input that shrinks while it is read (another
 * process truncating or rewriting a core) ends the next read of the lost
 * pages with SIGBUS.  Between sigbus_guard_on and sigbus_guard_off that
 * signal returns to the sigsetjmp the caller set, which reports the
 * usual one-line error instead of dying. */
#ifndef RETAIN_IO_SIGBUS_GUARD_H
#define RETAIN_IO_SIGBUS_GUARD_H

#include <setjmp.h>

/* Route SIGBUS to env (set by the caller with sigsetjmp(env, 1)). */
void sigbus_guard_on(sigjmp_buf *env);
/* Back to the default action. */
void sigbus_guard_off(void);

/* For a mapping read until the process ends (a saved index): SIGBUS
 * writes line (copied; a newline is added) to standard error and exits
 * with status 1.  Replaced by the next sigbus_guard_on. */
void sigbus_exit_on(const char *line);

#endif
