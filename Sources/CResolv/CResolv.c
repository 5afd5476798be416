#include "CResolv.h"

#include <arpa/inet.h>
#include <arpa/nameser.h>
#include <netinet/in.h>
#include <netdb.h>
#include <resolv.h>
#include <string.h>

// libresolv's thread-safe interface (res_n*) with a private state per call: no global resolver
// state is touched, so concurrent lookups and a test nameserver cannot interfere with each other.
int CResolv_lookupSRV(const char *name, const char *nameserver, uint16_t nameserverPort,
                      CResolvSRVRecord *records, int capacity) {
    struct __res_state state;
    memset(&state, 0, sizeof state);
    if (res_ninit(&state) != 0) return -1;
    if (nameserver != NULL) {
        struct in_addr address;
        if (inet_pton(AF_INET, nameserver, &address) != 1) { res_nclose(&state); return -1; }
        state.nscount = 1;
        state.nsaddr_list[0].sin_family = AF_INET;
        state.nsaddr_list[0].sin_addr = address;
        state.nsaddr_list[0].sin_port = htons(nameserverPort);
        state.retry = 1;
        state.retrans = 2;
    }
    unsigned char answer[8192];
    int length = res_nquery(&state, name, ns_c_in, ns_t_srv, answer, sizeof answer);
    int herr = state.res_h_errno;
    res_nclose(&state);
    if (length < 0) return (herr == HOST_NOT_FOUND || herr == NO_DATA) ? 0 : -1;

    ns_msg message;
    if (ns_initparse(answer, length, &message) != 0) return -1;
    int count = 0;
    int answers = ns_msg_count(message, ns_s_an);
    for (int index = 0; index < answers && count < capacity; index++) {
        ns_rr record;
        if (ns_parserr(&message, ns_s_an, index, &record) != 0) return -1;
        if (ns_rr_type(record) != ns_t_srv || ns_rr_rdlen(record) < 7) continue;
        const unsigned char *data = ns_rr_rdata(record);
        CResolvSRVRecord *out = &records[count];
        out->priority = ns_get16(data);
        out->weight = ns_get16(data + 2);
        out->port = ns_get16(data + 4);
        if (dn_expand(ns_msg_base(message), ns_msg_end(message), data + 6, out->target, sizeof out->target) < 0) return -1;
        count++;
    }
    return count;
}
