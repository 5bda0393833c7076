/* resident.c — resident mapped pages (resident.h). */
#include "io/resident.h"

#include <stdio.h>
#include <unistd.h>

int resident_mapped_over(uint64_t limit)
{
    unsigned long long size, resident, shared;
    FILE *f = fopen("/proc/self/statm", "r");
    int n = f ? fscanf(f, "%llu %llu %llu", &size, &resident, &shared) : 0;
    if (f)
        fclose(f);
    return n != 3 || shared * (unsigned long long)sysconf(_SC_PAGESIZE) >= limit;
}
