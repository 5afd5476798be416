#ifndef CBENCHMARKSUPPORT_H
#define CBENCHMARKSUPPORT_H
#include <stddef.h>

/// What the raw-expat baseline counted while parsing.
typedef struct {
    unsigned long elements;   ///< every start tag
    unsigned long stanzas;    ///< top-level children of the stream element
    unsigned long attributes; ///< attribute pairs seen
    unsigned long textBytes;  ///< character data bytes
    int depth;
} CExpatBaselineCounts;

/// Parses `length` bytes with a namespace-aware expat parser, `chunk` bytes per XML_Parse call,
/// through C callbacks that only count (no allocation): the floor any parser on expat can reach.
/// Returns 0 on success, else expat's error code.
int CExpatBaseline_parse(const char *data, size_t length, size_t chunk, CExpatBaselineCounts *counts);

/// The process's resident set size in bytes (from /proc/self/statm); 0 where it cannot be read.
size_t CBenchmarkSupport_residentBytes(void);

/// Returns freed heap memory to the system (glibc malloc_trim), so a resident-memory baseline taken
/// next is not padded by an earlier measurement's free pages.
void CBenchmarkSupport_trimHeap(void);

#endif
