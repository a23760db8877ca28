/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * TFTP request parser, exposed for the unit tests and fuzz targets.
 * Pure functions: no I/O, no state outside their arguments.
 */
#ifndef CTHELPERD_HELPERS_TFTP_H
#define CTHELPERD_HELPERS_TFTP_H

#include <stddef.h>
#include <stdint.h>

#define TFTP_RRQ	1
#define TFTP_WRQ	2
#define TFTP_DATA	3
#define TFTP_ACK	4
#define TFTP_ERROR	5
#define TFTP_OACK	6	/* RFC 2347 */

/*
 * Parse one TFTP packet (the UDP payload). Returns 1 for a well-formed read
 * or write request (RFC 1350: opcode, a non-empty file name and a mode,
 * netascii, octet or mail in any case, each NUL-terminated; then RFC 2347
 * option/value pairs, each NUL-terminated), 0 for DATA, ACK, ERROR and
 * OACK, -EINVAL for anything else. *opcode is set when there is one.
 */
int tftp_parse(const void *data, size_t len, uint16_t *opcode);

#endif
