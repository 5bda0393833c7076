/* hash.h — the hashes the open-addressing tables use.  rt_hash64 is the
 * finaliser of MurmurHash3, which spreads every input bit over every
 * output bit, so masking the low bits of the result picks a good slot;
 * rt_hash_bytes is FNV-1a over the bytes, finished by it. */
#ifndef RETAIN_UTIL_HASH_H
#define RETAIN_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t rt_hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static inline uint64_t rt_hash_bytes(const char *s, size_t n)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 0x100000001b3ULL;
    }
    return rt_hash64(h ^ n);
}

#endif
