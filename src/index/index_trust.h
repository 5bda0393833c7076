/* index_trust.h — remembering which saved indexes were checked whole
 * (index_trust.c), so that later commands on an unchanged index skip the
 * check. */
#ifndef RETAIN_INDEX_INDEX_TRUST_H
#define RETAIN_INDEX_INDEX_TRUST_H

#include <stdint.h>
#include <sys/stat.h>
#include <time.h>

/* 1 if the file st (fstat of the open index), whose header checksum is
 * header_sum, was checked whole and has not changed since. */
int index_trust_known(const struct stat *st, uint64_t header_sum);

/* Remember that the file st passed the whole check begun at checked_at
 * (CLOCK_REALTIME), unless it changed too shortly before to tell a later
 * change by its times. */
void index_trust_record(const struct stat *st, uint64_t header_sum, const struct timespec *checked_at);

#endif
