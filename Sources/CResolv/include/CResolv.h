#ifndef CRESOLV_H
#define CRESOLV_H
#include <stdint.h>

/// One SRV record (RFC 2782).
typedef struct {
    uint16_t priority;
    uint16_t weight;
    uint16_t port;
    char target[256];
} CResolvSRVRecord;

/// Looks up the SRV records of `name` (e.g. "_xmpp-client._tcp.example.com") with libresolv, into at
/// most `capacity` records. `nameserver` (an IPv4 address, with `nameserverPort`) replaces the
/// system's resolvers when not NULL, so tests can point at a local DNS server.
/// Returns the number of records, 0 when the name has none (NXDOMAIN or no data), or -1 on failure.
int CResolv_lookupSRV(const char *name, const char *nameserver, uint16_t nameserverPort,
                      CResolvSRVRecord *records, int capacity);

#endif
