/* resident.h — how much of the files a process has mapped is resident:
 * mapped pages count in its RSS like its own memory, so loaders that
 * read a mapped input (a core, a dump while typing) give them back once
 * they add up. */
#ifndef RETAIN_IO_RESIDENT_H
#define RETAIN_IO_RESIDENT_H

#include <stdint.h>

/* Whether the process's resident file-backed pages (RssFile, the shared
 * pages of /proc/self/statm) reach limit bytes; 1 when that cannot be
 * read, so that the caller releases rather than grows. */
int resident_mapped_over(uint64_t limit);

#endif
