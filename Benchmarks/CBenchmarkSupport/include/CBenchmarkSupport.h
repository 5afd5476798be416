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

/// Bytes currently allocated from the C heap (glibc mallinfo2), which Swift's allocator uses too;
/// 0 where mallinfo2 is not available.
size_t CBenchmarkSupport_heapBytes(void);

#endif
