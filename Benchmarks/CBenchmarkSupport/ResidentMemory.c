#include "CBenchmarkSupport.h"
#include <stdio.h>
#include <unistd.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

size_t CBenchmarkSupport_residentBytes(void) {
    FILE *statm = fopen("/proc/self/statm", "r");
    if (!statm) return 0;
    unsigned long size = 0, resident = 0;
    int fields = fscanf(statm, "%lu %lu", &size, &resident);
    fclose(statm);
    if (fields != 2) return 0;
    return (size_t)resident * (size_t)sysconf(_SC_PAGESIZE);
}

void CBenchmarkSupport_trimHeap(void) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}
