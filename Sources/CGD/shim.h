// libgd (Debian's libgd-dev, pkg-config gdlib): decodes PNG, JPEG, GIF and WebP and writes the
// profile thumbnails (ProfileSDK/Thumbnail.swift).
#ifndef XMPPKIT_CGD_SHIM_H
#define XMPPKIT_CGD_SHIM_H
#include <gd.h>
#endif
