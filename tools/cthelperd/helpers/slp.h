/* SPDX-License-Identifier: GPL-2.0-or-later */
/* SLP request check, exposed for the unit tests and fuzz targets. */
#ifndef CTHELPERD_HELPERS_SLP_H
#define CTHELPERD_HELPERS_SLP_H

#include <stddef.h>

#define SLP_SRVRQST	1
#define SLP_SRVRPLY	2
#define SLP_ATTRRQST	6
#define SLP_SRVTYPERQST	9

/*
 * 1 for an SLP request that agents answer (SrvRqst, AttrRqst,
 * SrvTypeRqst) with a well-formed header: SLPv2 (RFC 2608 8: version 2,
 * the 24-bit length equal to the datagram's, the language tag inside it)
 * or SLPv1 (RFC 2165: version 1, the 16-bit length equal to the
 * datagram's); 0 for other functions (replies, registrations), -EINVAL for
 * a header that is cut, has another version or a length that disagrees.
 */
int slp_is_request(const void *data, size_t len);

#endif
