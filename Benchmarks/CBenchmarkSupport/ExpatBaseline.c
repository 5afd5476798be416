#include "CBenchmarkSupport.h"
#include <expat.h>

static void XMLCALL on_start(void *user, const XML_Char *name, const XML_Char **atts) {
    (void)name;
    CExpatBaselineCounts *c = user;
    c->elements++;
    if (c->depth == 1) c->stanzas++;
    for (int i = 0; atts[i]; i += 2) c->attributes++;
    c->depth++;
}

static void XMLCALL on_end(void *user, const XML_Char *name) {
    (void)name;
    ((CExpatBaselineCounts *)user)->depth--;
}

static void XMLCALL on_text(void *user, const XML_Char *s, int len) {
    (void)s;
    ((CExpatBaselineCounts *)user)->textBytes += (unsigned long)len;
}

int CExpatBaseline_parse(const char *data, size_t length, size_t chunk, CExpatBaselineCounts *counts) {
    // Same configuration as XMPPXML: UTF-8 forced, namespace processing with the U+0001 separator.
    XML_Parser p = XML_ParserCreateNS("UTF-8", '\x01');
    if (!p) return -1;
    XML_SetUserData(p, counts);
    XML_SetElementHandler(p, on_start, on_end);
    XML_SetCharacterDataHandler(p, on_text);
    int result = 0;
    for (size_t off = 0; off < length; off += chunk) {
        size_t n = length - off < chunk ? length - off : chunk;
        if (XML_Parse(p, data + off, (int)n, 0) != XML_STATUS_OK) {
            result = (int)XML_GetErrorCode(p);
            break;
        }
    }
    XML_ParserFree(p);
    return result;
}
