/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SSDP M-SEARCH check, exposed for the unit tests and fuzz targets. */
#ifndef CTHELPERD_HELPERS_SSDP_H
#define CTHELPERD_HELPERS_SSDP_H

#include <stddef.h>

/*
 * 1 for an SSDP search request (UPnP Device Architecture 1.1, 1.3.2): the
 * start line "M-SEARCH * HTTP/1.1" and, among header lines that end in
 * CRLF before the empty line, a MAN header whose value is
 * "ssdp:discover" (quoted, header names in any case, blanks around the
 * value); 0 for other messages (NOTIFY, answers); -EINVAL for an M-SEARCH
 * that is malformed (no empty line, a line without a colon, no MAN).
 */
int ssdp_is_search(const void *data, size_t len);

#endif
