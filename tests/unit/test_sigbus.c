/* test_sigbus.c — the SIGBUS guard (io/sigbus_guard.c): a read of a
 * mapping whose file was truncated underneath returns to the guard's
 * sigsetjmp instead of killing the process; outside the guard the default
 * action is back.  Exit 0 when it behaves. */
#include <fcntl.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "io/sigbus_guard.h"

int main(void)
{
    char path[] = "/tmp/retain-sigbus-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0 || ftruncate(fd, 1 << 20) != 0) {
        perror("setup");
        return 1;
    }
    unlink(path);
    volatile unsigned char *p = mmap(NULL, 1 << 20, PROT_READ, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) {
        perror("mmap");
        return 1;
    }
    if (ftruncate(fd, 0) != 0) { /* the file shrinks under the mapping */
        perror("truncate");
        return 1;
    }
    static sigjmp_buf env;
    volatile int jumped = 0;
    if (sigsetjmp(env, 1) == 0) {
        sigbus_guard_on(&env);
        volatile unsigned char c = p[4096 * 10]; /* SIGBUS */
        (void)c;
        sigbus_guard_off();
    } else {
        jumped = 1;
        sigbus_guard_off();
    }
    if (!jumped) {
        fprintf(stderr, "FAIL: reading a truncated mapping did not raise SIGBUS into the guard\n");
        return 1;
    }
    printf("ok: SIGBUS on a truncated mapping returned to the guard\n");
    return 0;
}
