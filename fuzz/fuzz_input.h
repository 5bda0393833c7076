/* fuzz_input.h — what the libFuzzer targets share: UBSan's options, the
 * INVARIANT check, and the memfd each input is written to.
 *
 * Include it once per target, from its one .c file, after defining
 * FUZZ_TARGET (its name, the prefix of an invariant's message): it defines
 * __ubsan_default_options, which a program may have only once. */
#ifndef RETAIN_FUZZ_INPUT_H
#define RETAIN_FUZZ_INPUT_H

#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* memfd_create */
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef FUZZ_TARGET
#error "define FUZZ_TARGET (the target's name) before including fuzz_input.h"
#endif

/* fuzz/CMakeLists.txt gives the absolute path, so a target finds it from
 * any working directory. */
#ifndef FUZZ_UBSAN_SUPP
#define FUZZ_UBSAN_SUPP "fuzz/ubsan.supp"
#endif

/* Every UBSan report stops the run (so libFuzzer keeps the input), except
 * the known bugs listed in fuzz/ubsan.supp. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
    return "halt_on_error=1:print_stacktrace=1:suppressions=" FUZZ_UBSAN_SUPP;
}

/* Abort with a message: the fuzzer records the input as a crash. */
#define INVARIANT(cond)                                                                 \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            fprintf(stderr, FUZZ_TARGET ": invariant failed at %s:%d: %s\n", __FILE__,  \
                    __LINE__, #cond);                                                   \
            abort();                                                                    \
        }                                                                               \
    } while (0)

/* A file in memory that the code under test opens by path: the readers
 * take paths (and map them), so an input must be a file, and a memfd
 * makes one without touching the disk. */
typedef struct fuzz_file {
    int fd;
    char path[64]; /* /proc/self/fd/N */
} fuzz_file;

#define FUZZ_FILE_INIT { -1, "" }

/* Create f once per process (name shows in /proc/self/fd); no memfd, no
 * fuzzing: abort. */
static inline void fuzz_file_open(fuzz_file *f, const char *name)
{
    if (f->fd >= 0)
        return;
    f->fd = memfd_create(name, MFD_CLOEXEC);
    if (f->fd < 0) {
        perror("memfd_create");
        abort();
    }
    snprintf(f->path, sizeof f->path, "/proc/self/fd/%d", f->fd);
}

/* Make f hold exactly data[0, size); -1 when it cannot. */
static inline int fuzz_file_put(fuzz_file *f, const uint8_t *data, size_t size)
{
    if (ftruncate(f->fd, 0) != 0)
        return -1;
    size_t done = 0;
    while (done < size) {
        ssize_t k = pwrite(f->fd, data + done, size - done, (off_t)done);
        if (k <= 0)
            return -1;
        done += (size_t)k;
    }
    return 0;
}

#endif
