/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Multicast DNS query check, exposed for the unit tests and fuzz targets. */
#ifndef CTHELPERD_HELPERS_MDNS_H
#define CTHELPERD_HELPERS_MDNS_H

#include <stddef.h>

/*
 * 1 for a DNS query (RFC 1035 header: QR clear, opcode QUERY, at least one
 * question, and bytes after the header), 0 for other messages (responses,
 * other opcodes, no question), -EINVAL for less than a header and a byte.
 */
int mdns_is_query(const void *data, size_t len);

#endif
